/**
 * Reindex: extracts the search values of every current, non-deleted resource again (after a SearchParameter
 * was added or changed, see profiles/README.md) and stores them in place. It is not a write of the resource:
 * no new version, no history entry, no outbox event, `meta` untouched (as HAPI's $reindex). Each page is one
 * unit of `replace`s, each expecting the version it read, so a concurrent write always wins: the page is
 * re-read and retried, and the winner's version was indexed by the write path with the same parameters anyway.
 *
 * The store is walked in `_id` order, a page at a time (keyset on `_id`), so memory stays one page whatever
 * the size of the database.
 */
import type { Resource } from '@medplum/fhirtypes';
import { extractSearchValues } from '../search-index/extract.ts';
import type { ResourceDocument, SearchValues } from '../store/documents.ts';
import { PreconditionFailedError, type Filter, type Store, type WriteOperation } from '../store/port.ts';

export interface ReindexOptions {
  /** Only these resource types (already checked to be R4 types); every type when absent or empty. */
  types?: string[];
  /** Resources read and written per unit. Default 500. */
  pageSize?: number;
  /** Called after each page, e.g. to print progress. */
  onProgress?: (progress: ReindexSummary) => void;
}

export interface ReindexSummary {
  /** Current, non-deleted resources read. */
  examined: number;
  /** Of those, the ones whose search values changed and were stored again. */
  updated: number;
  /** Units tried again because a concurrent write changed one of their resources meanwhile. */
  retried: number;
}

/** Attempts at writing a page as one unit before falling back to one resource per unit. */
const PAGE_ATTEMPTS = 3;
/** Attempts at one resource that keeps being written concurrently before giving up. */
const RESOURCE_ATTEMPTS = 20;

export async function reindex(store: Store, options: ReindexOptions = {}): Promise<ReindexSummary> {
  const pageSize = options.pageSize ?? 500;
  const summary: ReindexSummary = { examined: 0, updated: 0, retried: 0 };
  // `Type/` .. `Type0` holds exactly the `_id`s of one type ('0' follows '/'); no range: every type.
  const ranges: { after: string; below?: string }[] = options.types?.length
    ? [...new Set(options.types)].sort().map((t) => ({ after: `${t}/`, below: `${t}0` }))
    : [{ after: '' }];
  for (const range of ranges) {
    let after = range.after;
    for (;;) {
      const filter: Filter = { _id: range.below ? { $gt: after, $lt: range.below } : { $gt: after }, deleted: false };
      const page = await store.find<ResourceDocument>('resources', filter, { sort: { _id: 1 }, limit: pageSize });
      if (page.length === 0) break;
      after = page[page.length - 1]._id;
      summary.examined += page.length;
      await reindexPage(store, page, summary);
      options.onProgress?.({ ...summary });
    }
  }
  return summary;
}

/** The document with fresh search values, or undefined when they are unchanged (nothing to write). */
export function reindexedDocument(doc: ResourceDocument): ResourceDocument | undefined {
  if (doc.deleted || doc.content === null) return undefined;
  // Stored content is valid JSON; JSON.parse gives the plain numbers extraction expects (as toPlain does).
  const values = extractSearchValues(JSON.parse(doc.content) as Resource);
  const changed = (Object.keys(values) as (keyof SearchValues)[]).some((k) => JSON.stringify(doc[k]) !== JSON.stringify(values[k]));
  return changed ? { ...doc, ...values } : undefined;
}

function replaceOperation(current: ResourceDocument, doc: ResourceDocument): WriteOperation {
  return { op: 'replace', collection: 'resources', doc, expect: { versionId: current.versionId } };
}

async function reindexPage(store: Store, page: ResourceDocument[], summary: ReindexSummary): Promise<void> {
  let docs = page;
  for (let attempt = 1; attempt <= PAGE_ATTEMPTS; attempt++) {
    const writes = docs.flatMap((doc) => {
      const next = reindexedDocument(doc);
      return next ? [replaceOperation(doc, next)] : [];
    });
    if (writes.length === 0) return;
    try {
      await store.write(writes);
      summary.updated += writes.length;
      return;
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
      summary.retried++;
      docs = await store.find<ResourceDocument>('resources', { _id: { $in: docs.map((d) => d._id) } });
    }
  }
  // The page keeps losing races (a busy resource in it): one resource per unit, so the others get through.
  for (const doc of docs) await reindexOne(store, doc, summary);
}

async function reindexOne(store: Store, doc: ResourceDocument | undefined, summary: ReindexSummary): Promise<void> {
  for (let attempt = 1; doc && attempt <= RESOURCE_ATTEMPTS; attempt++) {
    const next = reindexedDocument(doc);
    if (!next) return;
    try {
      await store.write([replaceOperation(doc, next)]);
      summary.updated++;
      return;
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
      summary.retried++;
      doc = await store.findOne<ResourceDocument>('resources', { _id: doc._id });
    }
  }
  if (doc) throw new Error(`reindex: ${doc._id} kept changing during ${RESOURCE_ATTEMPTS} attempts; run reindex again`);
}
