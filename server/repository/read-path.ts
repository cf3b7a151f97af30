/**
 * Reads: the current version, a given version, and history (https://hl7.org/fhir/R4/http.html#read,
 * #vread, #history). They return stored documents; the HTTP layer turns them into responses. Each applies the
 * caller's Access (server/access/enforce.ts): what it may not see reads as not found.
 */
import type { Access } from '../access/access.ts';
import { readable, redact, requireFilter, versionVisible } from '../access/enforce.ts';
import { gone, notFound } from '../errors/fhir-error.ts';
import type { HistoryDocument, ResourceDocument } from '../store/documents.ts';
import { matchesFilter } from '../store/match-filter.ts';
import type { Filter, Store } from '../store/port.ts';

export async function readResource(store: Store, access: Access, type: string, id: string): Promise<ResourceDocument> {
  const filter = requireFilter(access, type, 'r');
  const doc = await store.findOne<ResourceDocument>('resources', { _id: `${type}/${id}` });
  if (!doc) throw notFound(`${type}/${id} is not known`);
  // A deleted resource is gone only to a caller who may see every resource of its type: its tombstone has no
  // search values left to tell whose it was.
  if (doc.deleted) throw Object.keys(filter).length === 0 ? gone(`${type}/${id} was deleted`) : notFound(`${type}/${id} is not known`);
  return readable(access, type, 'r', doc);
}

export async function readVersion(store: Store, access: Access, type: string, id: string, versionId: string): Promise<HistoryDocument> {
  const filter = requireFilter(access, type, 'r');
  const doc = /^[1-9][0-9]{0,15}$/.test(versionId)
    ? await store.findOne<HistoryDocument>('history', { _id: `${type}/${id}/_history/${versionId}` })
    : undefined;
  if (!doc || !versionVisible(access, filter, doc)) throw notFound(`${type}/${id}/_history/${versionId} is not known`);
  if (doc.content === null) throw gone(`${type}/${id}/_history/${versionId} is a deletion`);
  return redact(access, doc);
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

/** Versions a restricted caller's history reads past (hidden ones) before it answers a shorter page. */
const MAX_HISTORY_SCAN = 1000;

export interface HistoryPage {
  entries: HistoryDocument[];
  /** The key the next page starts after (the last version looked at); undefined on the last page. */
  next?: { lastUpdated: string; _id: string };
}

/**
 * One page of history, newest first. Paging is by key (the last entry's lastUpdated and _id), not by offset,
 * so versions written while a client pages never shift a page: no duplicates, no gaps. A restricted caller sees
 * only the versions it may read (each tested on its own search values): hidden ones are skipped, at most
 * MAX_HISTORY_SCAN per page, so a page may be short while its `next` link still leads on.
 */
export async function readHistory(store: Store, access: Access, query: HistoryQuery): Promise<HistoryPage> {
  // Instance history is a read (`r`), type history a search (`s`); system history shows each type the caller may search.
  const filter = query.type ? requireFilter(access, query.type, query.id !== undefined ? 'r' : 's') : undefined;
  if (query.count === 0) return { entries: [] };
  const everything = access.unrestricted || (filter !== undefined && Object.keys(filter).length === 0);
  if (!everything && filter && query.id !== undefined) {
    // A restricted caller asks for the history of one resource: one it may not read now reads as unknown (404).
    const current = await store.findOne<ResourceDocument>('resources', { _id: `${query.type}/${query.id}` });
    if (!current || current.deleted || !matchesFilter(filter, current)) throw notFound(`${query.type}/${query.id} is not known`);
  }
  const shown: HistoryDocument[] = [];
  let before = query.before;
  for (let scanned = 0; scanned < MAX_HISTORY_SCAN;) {
    const batch = everything ? query.count : Math.min(Math.max(query.count * 2, 20), MAX_HISTORY_SCAN - scanned);
    const { entries, more } = await readVersions(store, { ...query, ...(before ? { before } : {}) }, batch);
    scanned += entries.length;
    for (const [i, doc] of entries.entries()) {
      const allowed = everything ? {} : (filter ?? access.filter(doc.resourceType, 's'));
      if (allowed && versionVisible(access, allowed, doc)) shown.push(redact(access, doc));
      if (shown.length === query.count) {
        return { entries: shown, ...(i < entries.length - 1 || more ? { next: keyOf(doc) } : {}) };
      }
    }
    if (!more || entries.length === 0) return { entries: shown };
    before = keyOf(entries[entries.length - 1]);
  }
  // Looked at as many versions as one page may: the client pages on from the last one.
  return { entries: shown, ...(before ? { next: before } : {}) };
}

function keyOf(doc: HistoryDocument): { lastUpdated: string; _id: string } {
  return { lastUpdated: doc.lastUpdated, _id: doc._id };
}

async function readVersions(store: Store, query: HistoryQuery, count: number): Promise<{ entries: HistoryDocument[]; more: boolean }> {
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
    limit: count + 1,
  });
  return { entries: entries.slice(0, count), more: entries.length > count };
}
