/**
 * A search's `searchset` Bundle (https://hl7.org/fhir/R4/search.html): matches (`search.mode = match`),
 * `_include`/`_revinclude` resources (`include`), and in lenient mode an OperationOutcome (`outcome`) naming
 * every ignored parameter. Used by the REST handlers (server/rest/search.ts) and by the GET entries of batches
 * and transactions (server/bundle/read-entry.ts).
 */
import { getResourceTypes } from '@medplum/core';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { parseFhirJson } from '../fhir-json/fhir-json.ts';
import { assertResourceType } from '../validation/id-rule.ts';
import type { CallerServices } from '../services.ts';
import { redact } from '../access/enforce.ts';
import type { ResourceDocument } from '../store/documents.ts';
import type { Filter } from '../store/port.ts';
import { FhirError } from '../errors/fhir-error.ts';
import { bundleLinks } from './bundle-links.ts';
import { findPage, sortOf, typeFilter, type SearchScope } from './execute-search.ts';
import { findIncludes } from './include.ts';
import { parseSearchRequest, splitName, type SearchRequest } from './parse-search.ts';
import { subset, unknownElements } from './summary.ts';
import { yieldTurn } from './yield-turn.ts';
import type { ResponseBudget } from '../repository/response-budget.ts';
import { searchParameterOf } from './search-parameter.ts';

export interface SearchTarget {
  /** Path under the FHIR base of the links (`Observation`, `Patient/1/Observation`, `` for system). */
  path: string;
  types?: string[];
  pairs: [string, string][];
  system?: boolean;
  /** An extra condition ANDed to every type's filter (the compartment). */
  extra?: Filter;
}

/** Runs a search and builds its `searchset` Bundle, charging what it holds to the request's `budget`. */
export async function searchBundle(
  { store, config, access }: Pick<CallerServices, 'store' | 'config' | 'access'>,
  target: SearchTarget,
  strict: boolean,
  budget: ResponseBudget,
): Promise<Bundle> {
  const req = parseSearchRequest(target.pairs, {
    strict,
    defaultCount: config.defaultCount,
    maxCount: config.maxCount,
    systemSearch: target.system,
  });
  budget.charge(''); // a batch whose earlier entries spent the response budget stops here, before searching
  const scope: SearchScope = { store, baseUrl: config.baseUrl, access, strict, ignored: [...req.ignored] };
  const types = target.types ?? req.types ?? [];
  for (const t of types) assertResourceType(t);
  checkElements(req, scope, types);
  const filter = await searchFilter(scope, req, types, target);
  const sort = sortOf(req, scope, types);

  // `_summary=count` and `_count=0` answer only the total (search.html#count, #summary).
  const countOnly = req.summary === 'count' || req.count === 0;
  const page = await findPage(store, filter, sort, countOnly ? 0 : req.count, req.page);
  let total: number | undefined;
  if (countOnly || req.total === 'accurate' || req.total === 'estimate') {
    await yieldTurn();
    total = await store.count('resources', filter);
  } else if (req.total === undefined && req.page === undefined && page.next === undefined) total = page.matches.length;

  const entries: BundleEntry[] = page.matches.map((doc) => entryOf(redact(access, doc), config.baseUrl, req, 'match', budget));
  if (!countOnly) {
    const included = await findIncludes(store, config.baseUrl, access, page.matches, req.include, req.revinclude);
    entries.push(...included.map((doc) => entryOf(redact(access, doc), config.baseUrl, req, 'include', budget)));
  }
  const ignored = [...new Set(scope.ignored.map((i) => i.message))];
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
  const link = bundleLinks(`${config.baseUrl}${target.path ? `/${target.path}` : ''}`, {
    self: req.page !== undefined ? [...used, ['_page', req.page]] : used,
    query: used,
    first: !countOnly,
    ...(!countOnly && page.previous ? { previous: page.previous } : {}),
    ...(!countOnly && page.next ? { next: page.next } : {}),
  });
  return { resourceType: 'Bundle', type: 'searchset', ...(total !== undefined ? { total } : {}), link, entry: entries };
}

async function searchFilter(scope: SearchScope, req: SearchRequest, types: string[], target: SearchTarget): Promise<Filter> {
  const withExtra = (f: Filter) => (target.extra ? { $and: [f, target.extra] } : f);
  if (types.length === 1) return withExtra(await typeFilter(scope, types[0], req.parameters));
  if (types.length === 0 && req.parameters.length === 0 && scope.access.unrestricted) return withExtra({ deleted: false });
  // Several types (system search): each type with the parameters it defines; without `_type`, every type that
  // defines all of them.
  const codes = req.parameters.map((p) => (p.name.startsWith('_has:') ? undefined : splitName(p.name).code));
  // Without `_type`, only the types the caller may search (a type named in `_type` it may not search is 403).
  const candidates =
    types.length > 0
      ? types
      : getResourceTypes().filter(
          (t) => codes.every((c) => c === undefined || searchParameterOf(t, c)) && scope.access.filter(t, 's') !== undefined,
        );
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

/** `_elements` names no searched type has: 400 strict; lenient leaves them out (the whole parameter when none is left). */
function checkElements(req: SearchRequest, scope: SearchScope, types: string[]): void {
  if (!req.elements) return;
  const unknown = unknownElements(types, req.elements, getResourceTypes);
  if (unknown.length === 0) return;
  const message = `_elements: ${unknown.map((e) => `'${e}'`).join(', ')} ignored: not an element of ${types.join(', ') || 'any resource type'}`;
  if (scope.strict) throw FhirError.of('not-supported', 'not-supported', message, '_elements');
  req.elements = req.elements.filter((e) => !unknown.includes(e));
  // Only a parameter ignored whole leaves the self link.
  scope.ignored.push({ name: req.elements.length === 0 ? '_elements' : '', message });
  if (req.elements.length === 0) delete req.elements;
}

function entryOf(
  doc: ResourceDocument,
  baseUrl: string,
  req: SearchRequest,
  mode: 'match' | 'include',
  budget: ResponseBudget,
): BundleEntry {
  budget.charge(doc.content!); // before parsing it: past MAX_RESPONSE_BYTES nothing more is built
  const parsed = parseFhirJson(doc.content!) as unknown as Record<string, unknown>;
  const resource = subset(parsed, req.summary, req.elements) as unknown as Resource;
  return { fullUrl: `${baseUrl}/${doc.resourceType}/${doc.id}`, resource, search: { mode } };
}
