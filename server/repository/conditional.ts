/**
 * Conditional interactions (https://hl7.org/fhir/R4/http.html#cond-update, #ccreate, #cdelete): the search in
 * a conditional URL or `If-None-Exist` header finds the resources it is about, with the spec's outcomes for
 * zero, one and several matches decided by the callers.
 *
 * Race-free conditional creates: a create made because a search found nothing also claims the key
 * `Type?canonical query` in the `conditional` collection, in the same atomic unit. Of two writers that both
 * saw no match, one fails that claim, searches again and finds the other's resource. A conditional write to
 * a match replaces exactly the version the search found (compare-and-swap): a writer that changed it first
 * makes this one search again, so a resource is never written because it matched before it changed.
 */
import type { Access } from '../access/access.ts';
import { FhirError, badRequest } from '../errors/fhir-error.ts';
import { typeFilter, type SearchScope } from '../search/execute-search.ts';
import { parseSearchRequest } from '../search/parse-search.ts';
import type { ConditionalDocument, ResourceDocument } from '../store/documents.ts';
import { DuplicateKeyError, PreconditionFailedError, type Store, type WriteOperation } from '../store/port.ts';

/** A conditional search: its resource type and its query (`identifier=sys|1&active=true`). */
export interface Condition {
  type: string;
  query: string;
}

/**
 * The resources matching a condition, at most `limit` (2 tells "one" from "several"). Unknown or malformed
 * parameters are 400: a condition that silently ignored a criterion could hit the wrong resource.
 */
export async function findMatches(
  store: Store,
  baseUrl: string,
  access: Access,
  { type, query }: Condition,
  limit = 2,
): Promise<ResourceDocument[]> {
  const pairs = [...new URLSearchParams(query)].filter(([name]) => name !== '_format' && name !== '_pretty');
  if (pairs.length === 0) throw badRequest(`A conditional ${type} URL needs search criteria`);
  const req = parseSearchRequest(pairs, { strict: true, defaultCount: limit, maxCount: limit });
  // The condition sees only what the caller may search (README, Authorization): a hidden resource never matches.
  const scope: SearchScope = { store, baseUrl, access, strict: true, ignored: [] };
  const filter = await typeFilter(scope, type, req.parameters);
  return store.find<ResourceDocument>('resources', filter, { limit, sort: { _id: 1 } });
}

/** The one match, or `undefined` for none; several are 412 (http.html#cond-update). */
export async function findOneMatch(
  store: Store,
  baseUrl: string,
  access: Access,
  condition: Condition,
): Promise<ResourceDocument | undefined> {
  const matches = await findMatches(store, baseUrl, access, condition);
  if (matches.length > 1) throw severalMatches(condition);
  return matches[0];
}

export function severalMatches({ type, query }: Condition): FhirError {
  return FhirError.of('precondition-failed', 'multiple-matches', `Several ${type} resources match '${query}'`);
}

/** `Type?` + the parameters sorted, so that the same search written differently claims the same key. */
export function conditionKey({ type, query }: Condition): string {
  const pairs = [...new URLSearchParams(query)].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  return `${type}?${new URLSearchParams(pairs).toString()}`;
}

/**
 * A condition's key and the target it held when read. It is read BEFORE the condition's search: a target read
 * then was committed before the search ran, so a search that does not find it proves the claim stale (its
 * resource was deleted or no longer matches) and it may be taken over. Read after the search (once the new
 * version was validated, which may take a worker's turn), it could be a concurrent creator's fresh claim.
 */
export interface Claim {
  key: string;
  /** The target the key held before the search, `null` when it held none. */
  held: string | null;
}

export async function readClaim(store: Store, condition: Condition): Promise<Claim> {
  const key = conditionKey(condition);
  const existing = await store.findOne<ConditionalDocument>('conditional', { _id: key });
  return { key, held: existing ? existing.target : null };
}

/**
 * The operation that claims a condition's key for `target`: the key must still hold what it held before the
 * search (nothing, or a stale target), otherwise a concurrent writer claimed it and the whole unit fails.
 */
export function claimOperation({ key, held }: Claim, target: string): WriteOperation {
  const doc: ConditionalDocument = { _id: key, target };
  return { op: 'replace', collection: 'conditional', doc, expect: held === null ? null : { target: held } };
}

/**
 * True when a unit failed because another writer got first to one of `searched` (a claimed key, or a resource
 * a condition chose): the condition is evaluated again on the new state.
 */
export function lostRace(err: unknown, searched: ReadonlySet<string>): boolean {
  return (err instanceof PreconditionFailedError || err instanceof DuplicateKeyError) && searched.has(err.documentId);
}

/**
 * How often a conditional write re-runs its search after losing a race before giving up with 409. Each loss
 * means another writer of the same resource or key finished, so n writers at once all succeed within n attempts.
 */
export const MAX_CLAIM_ATTEMPTS = 10;
