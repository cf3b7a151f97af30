/**
 * The embedded store: LMDB (durable, crash-safe B+tree with ordered keys) for documents and index keys,
 * mingo for MongoDB filter semantics. Single process by nature: LMDB allows one writer at a time, and the
 * outbox/lease coordination that lets several Fhirline processes share a database needs MongoDB.
 *
 * This file is the store's lifecycle and its reads and writes; query planning is scan-plan.ts (with scan-index.ts),
 * index maintenance open-index.ts, group commit group-commit.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { Query } from 'mingo';
import {
  CORE_COLLECTIONS,
  DuplicateKeyError,
  INDEXES,
  PreconditionFailedError,
  registerCollection,
  type CollectionName,
  type CollectionSpec,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Store,
  type StoredDocument,
  type WriteOperation,
} from '../port.ts';
import { matcherOf } from './equality-match.ts';
import { GroupCommit } from './group-commit.ts';
import type { MultiValued } from './index-keys.ts';
import type { IndexPlan } from './index-plan.ts';
import { dropUndeclaredIndexes, indexName, openIndex, updateIndexes, type MetaDatabase } from './open-index.ts';
import { equalityPrefixes, scanIndex } from './scan-index.ts';
import {
  candidates,
  coveredBy,
  idLookup,
  idStart,
  inIdOrder,
  isIdOrder,
  planScan,
  takeMatching,
  type CollectionIndexes,
} from './scan-plan.ts';

export class EmbeddedStore implements Store {
  private root?: RootDatabase;
  private readonly collections = new Map<CollectionName, Database<StoredDocument, string>>();
  private readonly indexes = new Map<CollectionName, CollectionIndexes>();
  private meta?: MetaDatabase;
  private readonly indexSpecs: IndexSpec[];
  private readonly collectionNames: CollectionName[] = [...CORE_COLLECTIONS];
  private readonly commits = new GroupCommit(
    () => this.root,
    (operations, written) => this.applyUnit(operations, written),
  );

  constructor(
    private readonly dataDir: string,
    indexSpecs: IndexSpec[] = INDEXES,
  ) {
    this.indexSpecs = [...indexSpecs];
  }

  register(spec: CollectionSpec): void {
    registerCollection(this.collectionNames, this.indexSpecs, this.root !== undefined, spec);
  }

  async open(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    // Default LMDB sync settings: a commit is crash-proof; we also await `flushed` before acknowledging.
    this.root = open({ path: join(this.dataDir, 'fhirline.mdb'), maxDbs: 64, compression: false });
    for (const name of this.collectionNames) {
      this.collections.set(name, this.root.openDB<StoredDocument, string>({ name, encoding: 'msgpack' }));
      this.indexes.set(name, { all: [], lookup: [], bySpec: new Map() });
    }
    const meta = (this.meta = this.root.openDB<MultiValued | boolean, string>({ name: 'meta', encoding: 'msgpack' }));
    for (const spec of this.indexSpecs) {
      const indexes = this.indexesOf(spec.collection);
      const index = await openIndex(this.root, meta, spec, this.collection(spec.collection));
      indexes.all.push(index);
      indexes.bySpec.set(spec, index);
    }
    await dropUndeclaredIndexes(this.root, meta, new Set(this.indexSpecs.map(indexName)), CORE_COLLECTIONS);
    for (const indexes of this.indexes.values()) {
      // Stable: among as many fields, in declaration order, as the planner counts exact keys.
      indexes.lookup = indexes.all.filter((o) => o.paths.every((p) => p.length === 1)).sort((a, b) => b.paths.length - a.paths.length);
    }
  }

  async close(): Promise<void> {
    await this.root?.close();
    this.root = undefined;
  }

  async ping(): Promise<boolean> {
    const root = this.root;
    if (!root) return false;
    try {
      // A read of the environment's statistics: throws once the environment is closed.
      root.getStats();
      return true;
    } catch {
      return false;
    }
  }

  private indexesOf(collection: CollectionName): CollectionIndexes {
    const indexes = this.indexes.get(collection);
    if (!indexes) throw new Error(this.root ? `unknown collection ${collection}` : 'embedded store is not open');
    return indexes;
  }

  private collection(name: CollectionName): Database<StoredDocument, string> {
    const db = this.collections.get(name);
    if (!db) throw new Error(this.root ? `unknown collection ${name}` : 'embedded store is not open');
    return db;
  }

  async findOne<T extends StoredDocument>(collection: CollectionName, filter: Filter): Promise<T | undefined> {
    return (await this.find<T>(collection, filter, { limit: 1 }))[0];
  }

  async find<T extends StoredDocument>(collection: CollectionName, filter: Filter, options: FindOptions = {}): Promise<T[]> {
    if (Object.keys(filter).length === 1 && idLookup(filter) && !options.sort && !options.skip) {
      // A read by primary key (the hot path of FHIR read): the lookup itself is the whole filter.
      const found = [...candidates(this.collection(collection), filter, { kind: 'id', ids: idLookup(filter)! })] as T[];
      return options.limit === undefined ? found : found.slice(0, options.limit);
    }
    const scan = planScan(this.indexesOf(collection), filter);
    if (inIdOrder(scan) && isIdOrder(options.sort)) {
      // The scan already yields `_id` order (a collection scan, sorted ids, or one exact index key whose `_id`s
      // LMDB keeps sorted), so stop at the page's end instead of letting mingo read and sort the whole range.
      return takeMatching<T>(matcherOf(filter), candidates(this.collection(collection), filter, scan), options.skip ?? 0, options.limit);
    }
    let cursor = new Query(filter).find<T>(candidates(this.collection(collection), filter, scan));
    if (options.sort && Object.keys(options.sort).length > 0) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return cursor.all();
  }

  async count(collection: CollectionName, filter: Filter): Promise<number> {
    const scan = planScan(this.indexesOf(collection), filter);
    // A covered count, as MongoDB's COUNT_SCAN: the key's entries are the matches, no document is read.
    if (scan.kind === 'index' && coveredBy(filter, scan.plan))
      return scan.open.db.getValuesCount(equalityPrefixes(scan.plan.bounds)[0] as Key);
    const matches = matcherOf(filter);
    let n = 0;
    for (const doc of candidates(this.collection(collection), filter, scan)) if (matches(doc)) n++;
    return n;
  }

  /** The index used and, as MongoDB's `executionStats` say, how many index keys (or documents) the scan reads. */
  async explain(collection: CollectionName, filter: Filter): Promise<string> {
    const scan = planScan(this.indexesOf(collection), filter);
    if (scan.kind === 'id') return `IXSCAN _id (${scan.ids.length} keys)`;
    if (scan.kind === 'collection') return `COLLSCAN ${collection} (${this.collection(collection).getKeysCount()} docs)`;
    let keys = 0;
    for (const _ of scanIndex(scan.open.db, scan.plan, idStart(filter))) keys++;
    const describe = (plan: IndexPlan) => `{${plan.index.fields.slice(0, plan.bounds.length).join(', ')}}`;
    const also = (scan.also ?? []).map((a) => {
      let n = 0;
      for (const _ of scanIndex(a.open.db, a.plan)) n++;
      return ` AND_SORTED IXSCAN ${describe(a.plan)} (${n} keys)`;
    });
    return `IXSCAN ${collection} ${describe(scan.plan)} (${keys} keys)${also.join('')}`;
  }

  /**
   * Group commit (group-commit.ts): units that arrive while a commit is being flushed go together in the next
   * LMDB transaction. Each unit stands alone: its preconditions are checked before any of its writes, and a unit
   * that fails writes nothing and fails only its own caller.
   */
  write(operations: WriteOperation[]): Promise<void> {
    return this.commits.write(operations);
  }

  /** Checks a unit against the store and `written` (the batch's earlier units), then queues its writes. */
  private applyUnit(operations: WriteOperation[], written: Map<string, StoredDocument>): Error | undefined {
    // Check every precondition first, against the unit's own earlier writes too; write only if all hold,
    // so a failed unit leaves nothing behind.
    const pending = new Map<string, StoredDocument>();
    const current = (op: WriteOperation) => {
      const key = `${op.collection}\u0000${op.doc._id}`;
      return pending.get(key) ?? written.get(key) ?? this.collection(op.collection).get(op.doc._id);
    };
    const previous: (StoredDocument | undefined)[] = [];
    for (const op of operations) {
      const existing = current(op);
      if (op.op === 'insert' && existing) return new DuplicateKeyError(op.doc._id);
      if (op.op === 'replace' && op.expect !== undefined) {
        const holds = op.expect === null ? !existing : !!existing && matcherOf(op.expect)(existing);
        if (!holds) return new PreconditionFailedError(op.doc._id);
      }
      previous.push(existing);
      pending.set(`${op.collection}\u0000${op.doc._id}`, op.doc);
    }
    operations.forEach((op, i) => this.apply(op.collection, previous[i], op.doc));
    for (const [key, doc] of pending) written.set(key, doc);
    return undefined;
  }

  private apply(collection: CollectionName, previous: StoredDocument | undefined, doc: StoredDocument): void {
    updateIndexes(this.meta!, this.indexesOf(collection).all, previous, doc);
    void this.collection(collection).put(doc._id, doc);
  }
}
