/**
 * Conditional interactions (https://hl7.org/fhir/R4/http.html#cond-update, #ccreate, #cdelete): the search in
 * a conditional URL or `If-None-Exist` header finds the resources it is about, with the spec's outcomes for
 * zero, one and several matches decided by the callers.
 *
 * Race-free conditional creates: a create made because a search found nothing also claims the key
 * `Type?canonical query` in the `conditional` collection, in the same atomic unit. Of two writers that both
 * saw no match, one fails that claim, searches again and finds the other's resource.
 */
import { FhirError, badRequest } from '../errors/fhir-error.ts';
import { typeFilter, type SearchScope } from '../search/execute-search.ts';
import { parseSearchRequest } from '../search/parse-search.ts';
import type { ConditionalDocument, ResourceDocument } from '../store/documents.ts';
import { PreconditionFailedError, type Store, type WriteOperation } from '../store/port.ts';

/** A conditional search: its resource type and its query (`identifier=sys|1&active=true`). */
export interface Condition {
  type: string;
  query: string;
}

/**
 * The resources matching a condition, at most `limit` (2 tells "one" from "several"). Unknown or malformed
 * parameters are 400: a condition that silently ignored a criterion could hit the wrong resource.
 */
export async function findMatches(store: Store, baseUrl: string, { type, query }: Condition, limit = 2): Promise<ResourceDocument[]> {
  const pairs = [...new URLSearchParams(query)].filter(([name]) => name !== '_format' && name !== '_pretty');
  if (pairs.length === 0) throw badRequest(`A conditional ${type} URL needs search criteria`);
  const req = parseSearchRequest(pairs, { strict: true, defaultCount: limit, maxCount: limit });
  const scope: SearchScope = { store, baseUrl, strict: true, ignored: [] };
  const filter = await typeFilter(scope, type, req.parameters);
  return store.find<ResourceDocument>('resources', filter, { limit, sort: { _id: 1 } });
}

/** The one match, or `undefined` for none; several are 412 (http.html#cond-update). */
export async function findOneMatch(store: Store, baseUrl: string, condition: Condition): Promise<ResourceDocument | undefined> {
  const matches = await findMatches(store, baseUrl, condition);
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
 * The operation that claims a condition's key for `target`: it must not exist yet, or must still hold the
 * (stale) target read now, whose resource no longer matches.
 */
export async function claimOperation(store: Store, condition: Condition, target: string): Promise<WriteOperation> {
  const _id = conditionKey(condition);
  const existing = await store.findOne<ConditionalDocument>('conditional', { _id });
  const doc: ConditionalDocument = { _id, target };
  return { op: 'replace', collection: 'conditional', doc, expect: existing ? { target: existing.target } : null };
}

/** True when a unit failed because another writer claimed one of these keys first: search again. */
export function lostClaim(err: unknown, claims: WriteOperation[]): boolean {
  return err instanceof PreconditionFailedError && claims.some((c) => c.collection === 'conditional' && c.doc._id === err.documentId);
}

/** How often a conditional write re-runs its search after losing a claim before giving up with 409. */
export const MAX_CLAIM_ATTEMPTS = 5;
