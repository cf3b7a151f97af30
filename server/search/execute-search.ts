/**
 * Runs a parsed search (parse-search.ts) against the store: each parameter -> one filter (compile-parameter.ts,
 * chains and `_has` here), all ANDed with `{resourceType, deleted: false}`; then one keyset page
 * (page-token.ts) in `_sort` order with `_id` as the tie-break.
 */
import type { Access } from '../access/access.ts';
import { NOTHING, requireFilter } from '../access/enforce.ts';
import { FhirError, badRequest, tooCostly } from '../errors/fhir-error.ts';
import { isValidId } from '../validation/id-rule.ts';
import type { ResourceDocument } from '../store/documents.ts';
import type { Filter, Sort, Store } from '../store/port.ts';
import { compileParameter } from './compile-parameter.ts';
import { checkValues, MAX_CHAIN_DEPTH, MAX_CHAIN_MATCHES } from './limits.ts';
import { listFilter } from './list-filter.ts';
import { afterKey, decodePageToken, encodePageToken, fieldValue, reverseSort } from './page-token.ts';
import { splitName, type IgnoredParameter, type ParsedParameter, type SearchRequest } from './parse-search.ts';
import { valueSetsOf } from './resolve-value-sets.ts';
import { splitValues } from './split-values.ts';
import { sortField } from './sort-field.ts';
import { yieldTurn } from './yield-turn.ts';
import { searchParameterOf } from './search-parameter.ts';

export { MAX_CHAIN_MATCHES } from './limits.ts';

export interface SearchScope {
  store: Store;
  baseUrl: string;
  /** What the caller may see: ANDed into the searched type's filter and into every chain's and `_has`'s inner search. */
  access: Access;
  strict: boolean;
  /** Parameters ignored in lenient mode. */
  ignored: IgnoredParameter[];
}

/**
 * An unknown parameter or modifier: 400 in strict mode, an `outcome` entry in lenient mode. A malformed value of
 * a known parameter (`invalid`) is never ignorable: leaving it out would widen a narrow search to everything.
 */
function isIgnorable(err: unknown): err is FhirError {
  return err instanceof FhirError && err.kind === 'not-supported';
}

/**
 * The filter of every parameter of one resource type, with `{resourceType, deleted: false}` and what the caller
 * may search of that type (403 when it may search none of it).
 */
export async function typeFilter(scope: SearchScope, resourceType: string, parameters: ParsedParameter[]): Promise<Filter> {
  const and: Filter[] = [{ resourceType }, { deleted: false }];
  const allowed = requireFilter(scope.access, resourceType, 's');
  if (Object.keys(allowed).length > 0) and.push(allowed);
  for (const p of parameters) {
    try {
      and.push(await parameterFilter(scope, resourceType, p));
    } catch (err) {
      if (!isIgnorable(err)) throw err;
      if (scope.strict) throw err;
      scope.ignored.push({ name: p.name, message: `Parameter '${p.name}' ignored: ${err.message}` });
    }
  }
  return { $and: and };
}

/** One parameter (possibly chained or reverse-chained, `depth` levels below the searched type) -> one filter. */
export async function parameterFilter(scope: SearchScope, resourceType: string, p: ParsedParameter, depth = 0): Promise<Filter> {
  if (depth > MAX_CHAIN_DEPTH) throw tooCostly(`'${p.name}' chains more than ${MAX_CHAIN_DEPTH} levels deep`, p.name);
  checkValues(p.name, splitValues(p.value));
  if (p.name.startsWith('_has:')) return hasFilter(scope, resourceType, p, depth);
  if (p.name === '_list') return listFilter(scope.store, scope.access, resourceType, p.value, scope.baseUrl);
  const { code, modifier, chain } = splitName(p.name);
  const definition = searchParameterOf(resourceType, code);
  if (!definition) throw FhirError.of('not-supported', 'not-supported', `Unknown search parameter '${code}' for ${resourceType}`, p.name);
  checkNotHidden(scope.access, resourceType, code, definition.expression, p.name);
  if (chain === undefined) {
    // `baseUrl` lets the compiler read `[base]/Type/id` as a local reference (an optional clause field).
    // `:in` / `:not-in` name ValueSets: expanded here (I/O) so that compilation stays pure.
    const valueSets = await valueSetsOf(scope.store, definition, code, modifier, p.value);
    const clause = {
      definition,
      code,
      ...(modifier !== undefined ? { modifier } : {}),
      value: p.value,
      baseUrl: scope.baseUrl,
      ...(valueSets ? { valueSets } : {}),
    };
    return compileParameter(resourceType, clause);
  }
  // Chaining (https://hl7.org/fhir/R4/search.html#chaining): `code[:Type].rest=value`.
  if (definition.type !== 'reference') throw badRequest(`'${code}' is not a reference parameter and cannot be chained`, p.name);
  const innerCode = splitName(chain.startsWith('_has:') ? '_has' : chain).code;
  const declared: string[] = definition.target ?? [];
  const candidates: string[] = modifier !== undefined ? [modifier] : declared;
  if (modifier !== undefined && declared.length > 0 && !declared.includes(modifier)) {
    throw badRequest(`'${code}' cannot refer to ${modifier}`, p.name);
  }
  // Without `:Type`, search every target type that defines the chained parameter (as HAPI does).
  const targets = candidates.filter((t) => innerCode === '_has' || searchParameterOf(t, innerCode));
  if (targets.length === 0)
    throw FhirError.of('not-supported', 'not-supported', `No target of '${code}' has a search parameter '${innerCode}'`, p.name);
  const refs: string[] = [];
  for (const target of targets) {
    const filter = await typeFilterStrict(scope, target, { name: chain, value: p.value }, p.name, depth);
    for (const doc of await boundedFind(scope.store, filter, p.name)) refs.push(`${code}|${doc._id}`);
  }
  return { ref: { $in: refs } };
}

/**
 * A search on an element the caller's policy hides (an insurer's `Patient?phone=`) would tell its value by what
 * matches: refused, as reading it is.
 */
function checkNotHidden(access: Access, type: string, code: string, expression: string | undefined, name: string): void {
  const hidden = access.hiddenElements(type);
  if (hidden.length === 0 || !expression) return;
  const element = hidden.find((e) => new RegExp(`(^|[^A-Za-z])${type}\\.${e}\\b`).test(expression));
  if (element) throw FhirError.of('forbidden', 'forbidden', `'${code}' searches ${type}.${element}, which this token may not see`, name);
}

/**
 * Reverse chaining (https://hl7.org/fhir/R4/search.html#has): `_has:Type:param:rest=value` matches the resources
 * that a `Type` matching `rest=value` refers to through `param`. `rest` may itself be a `_has`.
 */
async function hasFilter(scope: SearchScope, resourceType: string, p: ParsedParameter, depth: number): Promise<Filter> {
  const m = /^_has:([A-Za-z]+):([A-Za-z0-9_-]+):(.+)$/.exec(p.name);
  if (!m) throw badRequest(`'${p.name}' is not _has:[type]:[parameter]:[parameter]`, p.name);
  const [, type, param, rest] = m;
  const definition = searchParameterOf(type, param);
  if (!definition || definition.type !== 'reference')
    throw FhirError.of('not-supported', 'not-supported', `${type} has no reference parameter '${param}'`, p.name);
  const filter = await typeFilterStrict(scope, type, { name: rest, value: p.value }, p.name, depth);
  const ids = new Set<string>();
  const prefix = `${param}|`;
  for (const doc of await boundedFind(scope.store, filter, p.name)) {
    for (const ref of doc.ref ?? []) {
      if (!ref.startsWith(prefix)) continue;
      const target = localReference(ref.slice(prefix.length), scope.baseUrl);
      if (target?.startsWith(`${resourceType}/`)) ids.add(target);
    }
  }
  return { _id: { $in: [...ids] } };
}

/**
 * Inner searches of chains never ignore a parameter: a bad inner parameter makes the whole one ignorable, and
 * its error names the parameter as the client wrote it (`outer`).
 */
async function typeFilterStrict(scope: SearchScope, type: string, p: ParsedParameter, outer: string, depth: number): Promise<Filter> {
  // What the caller may not search cannot match: a chain never tells that a hidden resource has a value.
  const allowed = scope.access.filter(type, 's') ?? NOTHING;
  try {
    return { $and: [{ resourceType: type }, { deleted: false }, allowed, await parameterFilter(scope, type, p, depth + 1)] };
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    const issue = (err.outcome.issue ?? []).map((i) => ({ ...i, expression: [outer] }));
    throw new FhirError(err.kind, { ...err.outcome, issue });
  }
}

async function boundedFind(store: Store, filter: Filter, name: string): Promise<ResourceDocument[]> {
  await yieldTurn();
  const docs = await store.find<ResourceDocument>('resources', filter, { sort: { _id: 1 }, limit: MAX_CHAIN_MATCHES + 1 });
  if (docs.length > MAX_CHAIN_MATCHES) {
    throw tooCostly(`The inner search of '${name}' matches more than ${MAX_CHAIN_MATCHES} resources; narrow it`, name);
  }
  return docs;
}

/** `Patient/1`, or `[base]/Patient/1` on this server -> `Patient/1`; anything else -> undefined. */
export function localReference(reference: string, baseUrl: string): string | undefined {
  const local = reference.startsWith(`${baseUrl}/`) ? reference.slice(baseUrl.length + 1) : reference;
  const [type, id, ...more] = local.split('/');
  return more.length === 0 && id !== undefined && /^[A-Z][A-Za-z]+$/.test(type) && isValidId(id) ? local : undefined;
}

export interface SearchPage {
  matches: ResourceDocument[];
  /** Token of the page after this one, when there is one. */
  next?: string;
  /** Token of the page before this one, when there is one. */
  previous?: string;
}

/** The document sort of a search: `_sort` keys, then `_id`. */
export function sortOf(req: SearchRequest, scope: SearchScope, types: string[]): Sort {
  const sort: Sort = {};
  for (const key of req.sort) {
    try {
      const unknown = types.find((t) => !searchParameterOf(t, key.code));
      if (unknown) throw FhirError.of('not-supported', 'not-supported', `Unknown search parameter '${key.code}' for ${unknown}`, '_sort');
      const field = sortField(key.code, key.descending);
      if (!(field in sort)) sort[field] = key.descending ? -1 : 1;
    } catch (err) {
      if (!isIgnorable(err) || scope.strict) throw err;
      scope.ignored.push({ name: '_sort', message: `_sort '${key.code}' ignored: ${err.message}` });
    }
  }
  if (!('_id' in sort)) sort._id = 1;
  return sort;
}

/** One page of matches for `filter` in `sort` order, from the request's page token. */
export async function findPage(store: Store, filter: Filter, sort: Sort, count: number, page: string | undefined): Promise<SearchPage> {
  const fields = Object.keys(sort);
  const token = page === undefined ? undefined : decodePageToken(page, fields.length);
  if (count === 0) return { matches: [] };
  const backwards = token?.direction === 'p';
  const order = backwards ? reverseSort(sort) : sort;
  const query = token ? { $and: [filter, afterKey(order, token.key)] } : filter;
  await yieldTurn();
  const docs = await store.find<ResourceDocument>('resources', query, { sort: order, limit: count + 1 });
  const more = docs.length > count;
  const matches = docs.slice(0, count);
  if (backwards) matches.reverse();
  const keyOf = (doc: ResourceDocument) => fields.map((f) => fieldValue(doc, f));
  const result: SearchPage = { matches };
  if (matches.length === 0) {
    // An empty page past the end or before the start: offer the way back.
    if (token) result[backwards ? 'next' : 'previous'] = encodePageToken({ direction: backwards ? 'n' : 'p', key: token.key });
    return result;
  }
  const first = matches[0];
  const last = matches[matches.length - 1];
  const hasNext = backwards ? token !== undefined : more;
  const hasPrevious = backwards ? more : token !== undefined;
  if (hasNext) result.next = encodePageToken({ direction: 'n', key: keyOf(last) });
  if (hasPrevious) result.previous = encodePageToken({ direction: 'p', key: keyOf(first) });
  return result;
}
