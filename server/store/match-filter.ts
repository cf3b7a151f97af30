/**
 * Tests one document against a filter document in memory, with MongoDB semantics (mingo, as the embedded store
 * evaluates queries): how a write checks its new version against what its principal may write, and a history
 * version is checked against what its principal may read, without a query.
 */
import { Query } from 'mingo';
import type { Filter, StoredDocument } from './port.ts';

/** Compiled once per filter object: access filters are memoised per principal and type (server/access). */
const compiled = new WeakMap<Filter, Query>();

export function matchesFilter(filter: Filter, doc: StoredDocument): boolean {
  if (Object.keys(filter).length === 0) return true;
  let query = compiled.get(filter);
  if (!query) {
    query = new Query(filter);
    compiled.set(filter, query);
  }
  return query.test(doc);
}
