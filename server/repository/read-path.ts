/**
 * Reads: the current version, a given version, and history (https://hl7.org/fhir/R4/http.html#read,
 * #vread, #history). They return stored documents; the HTTP layer turns them into responses.
 */
import { gone, notFound } from '../errors/fhir-error.ts';
import type { HistoryDocument, ResourceDocument } from '../store/documents.ts';
import type { Filter, Store } from '../store/port.ts';

export async function readResource(store: Store, type: string, id: string): Promise<ResourceDocument> {
  const doc = await store.findOne<ResourceDocument>('resources', { _id: `${type}/${id}` });
  if (!doc) throw notFound(`${type}/${id} is not known`);
  if (doc.deleted) throw gone(`${type}/${id} was deleted`);
  return doc;
}

export async function readVersion(store: Store, type: string, id: string, versionId: string): Promise<HistoryDocument> {
  const doc = /^[1-9][0-9]{0,15}$/.test(versionId)
    ? await store.findOne<HistoryDocument>('history', { _id: `${type}/${id}/_history/${versionId}` })
    : undefined;
  if (!doc) throw notFound(`${type}/${id}/_history/${versionId} is not known`);
  if (doc.content === null) throw gone(`${type}/${id}/_history/${versionId} is a deletion`);
  return doc;
}

export interface HistoryQuery {
  type?: string;
  id?: string;
  /** `_since`: only versions changed after this instant (inclusive, as HAPI). */
  since?: string;
  /** `_at`-style upper bound used by paging: versions at or before this point, `lastUpdated|_id`. */
  before?: { lastUpdated: string; _id: string };
  count: number;
}

/**
 * One page of history, newest first. Paging is by key (the last entry's lastUpdated and _id), not by offset,
 * so versions written while a client pages never shift a page: no duplicates, no gaps.
 */
export async function readHistory(store: Store, query: HistoryQuery): Promise<{ entries: HistoryDocument[]; more: boolean }> {
  const and: Filter[] = [];
  if (query.type) and.push({ resourceType: query.type });
  if (query.id) and.push({ id: query.id });
  const range: Record<string, string> = {};
  if (query.since) range.$gte = query.since;
  if (query.before) range.$lte = query.before.lastUpdated;
  if (Object.keys(range).length > 0) and.push({ lastUpdated: range });
  if (query.before) {
    and.push({ $or: [{ lastUpdated: { $lt: query.before.lastUpdated } }, { _id: { $lt: query.before._id } }] });
  }
  const filter: Filter = and.length > 0 ? { $and: and } : {};
  const entries = await store.find<HistoryDocument>('history', filter, {
    sort: { lastUpdated: -1, _id: -1 },
    limit: query.count + 1,
  });
  return { entries: entries.slice(0, query.count), more: entries.length > query.count };
}
