/**
 * The embedded store: LMDB (durable, crash-safe B+tree with ordered keys) for documents and index keys,
 * mingo for MongoDB filter semantics. Single process by nature: LMDB allows one writer at a time, and the
 * outbox/lease coordination that lets several Fhirline processes share a database needs MongoDB.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { Query } from 'mingo';
import {
  DuplicateKeyError,
  INDEXES,
  PreconditionFailedError,
  COLLECTIONS,
  type CollectionName,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Store,
  type StoredDocument,
  type WriteOperation,
} from '../port.ts';
import { chooseIndex, type FieldBound, type IndexPlan, type KeyValue } from './index-plan.ts';
import { indexKeys, keyValue, MAX_KEY_STRING } from './index-keys.ts';


interface OpenIndex {
  spec: IndexSpec;
  /** The spec's fields split on dots. */
  paths: string[][];
  db: Database<string, Key>;
}

/** A unit of work waiting for the next group commit. */
interface PendingUnit {
  operations: WriteOperation[];
  resolve: () => void;
  reject: (err: Error) => void;
}

export class EmbeddedStore implements Store {
  private root?: RootDatabase;
  private readonly collections = new Map<CollectionName, Database<StoredDocument, string>>();
  private readonly indexes = new Map<CollectionName, OpenIndex[]>();
  private queue: PendingUnit[] = [];
  private committing = false;

  constructor(
    private readonly dataDir: string,
    private readonly indexSpecs: IndexSpec[] = INDEXES,
  ) {}

  async open(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    // Default LMDB sync settings: a commit is crash-proof; we also await `flushed` before acknowledging.
    this.root = open({ path: join(this.dataDir, 'fhirline.mdb'), maxDbs: 64, compression: false });
    for (const name of COLLECTIONS) {
      this.collections.set(name, this.root.openDB<StoredDocument, string>({ name, encoding: 'msgpack' }));
      this.indexes.set(name, []);
    }
    for (const spec of this.indexSpecs) {
      const db = this.root.openDB<string, Key>({
        name: `index:${spec.collection}:${spec.fields.join(',')}`,
        dupSort: true,
        encoding: 'string',
      });
      const paths = spec.fields.map((f) => f.split('.'));
      this.indexes.get(spec.collection)!.push({ spec, paths, db });
      await this.buildIndexIfEmpty(spec.collection, db, paths);
    }
  }

  /** An index declared after documents exist is built from them once. */
  private async buildIndexIfEmpty(collection: CollectionName, db: Database<string, Key>, paths: string[][]) {
    const docs = this.collection(collection);
    if (db.getKeysCount({ limit: 1 }) > 0 || docs.getKeysCount({ limit: 1 }) === 0) return;
    await db.transaction(() => {
      for (const { value } of docs.getRange()) {
        for (const key of indexKeys(value, paths)) db.put(key as Key, value._id);
      }
    });
    await db.flushed;
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

  private collection(name: CollectionName): Database<StoredDocument, string> {
    const db = this.collections.get(name);
    if (!db) throw new Error('embedded store is not open');
    return db;
  }

  async findOne<T extends StoredDocument>(collection: CollectionName, filter: Filter): Promise<T | undefined> {
    return (await this.find<T>(collection, filter, { limit: 1 }))[0];
  }

  async find<T extends StoredDocument>(collection: CollectionName, filter: Filter, options: FindOptions = {}): Promise<T[]> {
    if (Object.keys(filter).length === 1 && idLookup(filter) && !options.sort && !options.skip) {
      // A read by primary key (the hot path of FHIR read): the lookup itself is the whole filter.
      const found = [...this.candidates(collection, filter)] as T[];
      return options.limit === undefined ? found : found.slice(0, options.limit);
    }
    if (this.scansInIdOrder(collection, filter) && isIdOrder(options.sort)) {
      // Keyset paging on `_id` (e.g. reindex): the scan already yields `_id` order, so stop at the page's end
      // instead of letting mingo read and sort the whole range.
      return takeMatching<T>(new Query(filter), this.candidates(collection, filter), options.skip ?? 0, options.limit);
    }
    let cursor = new Query(filter).find<T>(this.candidates(collection, filter));
    if (options.sort && Object.keys(options.sort).length > 0) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return cursor.all();
  }

  async count(collection: CollectionName, filter: Filter): Promise<number> {
    const query = new Query(filter);
    let n = 0;
    for (const doc of this.candidates(collection, filter)) if (query.test(doc)) n++;
    return n;
  }

  /** The index used and, as MongoDB's `executionStats` say, how many index keys (or documents) the scan reads. */
  async explain(collection: CollectionName, filter: Filter): Promise<string> {
    const ids = idLookup(filter);
    if (ids) return `IXSCAN _id (${ids.length} keys)`;
    const open = this.indexes.get(collection) ?? [];
    const plan = chooseIndex(filter, open.map((o) => o.spec));
    if (!plan) return `COLLSCAN ${collection} (${this.collection(collection).getKeysCount()} docs)`;
    let keys = 0;
    for (const _ of scanIndex(open.find((o) => o.spec === plan.index)!.db, plan)) keys++;
    return `IXSCAN ${collection} {${plan.index.fields.slice(0, plan.bounds.length).join(', ')}} (${keys} keys)`;
  }

  /** True when `candidates` scans the collection itself (no `_id` lookup, no index): `_id` order. */
  private scansInIdOrder(collection: CollectionName, filter: Filter): boolean {
    return !idLookup(filter) && !chooseIndex(filter, this.indexSpecs.filter((s) => s.collection === collection));
  }

  /** The documents that may match: from `_id`, from the best index, or the collection (within an `_id` range). */
  private *candidates(collection: CollectionName, filter: Filter): Generator<StoredDocument> {
    const docs = this.collection(collection);
    const ids = idLookup(filter);
    if (ids) {
      for (const id of ids) {
        const doc = docs.get(id);
        if (doc) yield doc;
      }
      return;
    }
    const open = this.indexes.get(collection) ?? [];
    const plan = chooseIndex(filter, open.map((o) => o.spec));
    if (!plan) {
      const { start, beyond } = idRange(filter);
      for (const { key, value } of docs.getRange(start === undefined ? {} : { start })) {
        if (beyond(key)) break;
        yield value;
      }
      return;
    }
    const index = open.find((o) => o.spec === plan.index)!;
    const seen = new Set<string>();
    for (const id of scanIndex(index.db, plan)) {
      if (seen.has(id)) continue;
      seen.add(id);
      const doc = docs.get(id);
      if (doc) yield doc;
    }
  }

  /**
   * Group commit: units that arrive while a commit is being flushed wait and go together in the next LMDB
   * transaction, so one fsync acknowledges many writers. Each unit still stands alone: its preconditions are
   * checked before any of its writes, and a unit that fails writes nothing and fails only its own caller.
   */
  write(operations: WriteOperation[]): Promise<void> {
    if (!this.root) return Promise.reject(new Error('embedded store is not open'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ operations, resolve, reject });
      if (!this.committing) void this.commitQueued();
    });
  }

  private async commitQueued(): Promise<void> {
    this.committing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const root = this.root;
        let outcomes: (Error | undefined)[];
        try {
          if (!root) throw new Error('embedded store is not open');
          outcomes = await root.transaction(() => batch.map((unit) => this.applyUnit(unit.operations)));
          await root.flushed;
        } catch (err) {
          for (const unit of batch) unit.reject(err as Error);
          continue;
        }
        batch.forEach((unit, i) => {
          const failure = outcomes[i];
          if (failure) unit.reject(failure);
          else unit.resolve();
        });
      }
    } finally {
      this.committing = false;
    }
  }

  /** Runs inside the write transaction; earlier units of the same batch are visible to it. */
  private applyUnit(operations: WriteOperation[]): Error | undefined {
    // Check every precondition first, against the unit's own earlier writes too; write only if all hold,
    // so a failed unit leaves nothing behind.
    const pending = new Map<string, StoredDocument | undefined>();
    const current = (op: WriteOperation) => {
      const key = `${op.collection}\u0000${op.doc._id}`;
      return pending.has(key) ? pending.get(key) : this.collection(op.collection).get(op.doc._id);
    };
    const previous: (StoredDocument | undefined)[] = [];
    for (const op of operations) {
      const existing = current(op);
      if (op.op === 'insert' && existing) return new DuplicateKeyError(op.doc._id);
      if (op.op === 'replace' && op.expect !== undefined) {
        const holds = op.expect === null ? !existing : !!existing && new Query(op.expect).test(existing);
        if (!holds) return new PreconditionFailedError(op.doc._id);
      }
      previous.push(existing);
      pending.set(`${op.collection}\u0000${op.doc._id}`, op.doc);
    }
    operations.forEach((op, i) => this.apply(op.collection, previous[i], op.doc));
    return undefined;
  }

  private apply(collection: CollectionName, previous: StoredDocument | undefined, doc: StoredDocument): void {
    for (const { paths, db } of this.indexes.get(collection) ?? []) {
      const keys = indexKeys(doc, paths);
      if (!previous) {
        for (const key of keys) void db.put(key as Key, doc._id);
        continue;
      }
      // Only the keys that changed: most of a resource's index entries stay the same across versions.
      const before = new Map(indexKeys(previous, paths).map((k) => [JSON.stringify(k), k]));
      const after = new Map(keys.map((k) => [JSON.stringify(k), k]));
      for (const [s, key] of before) if (!after.has(s)) void db.remove(key as Key, previous._id);
      for (const [s, key] of after) if (!before.has(s)) void db.put(key as Key, doc._id);
    }
    void this.collection(collection).put(doc._id, doc);
  }
}

/** `_id` equality or `$in` at the top level: answered by primary key. */
function idLookup(filter: Filter): string[] | undefined {
  const cond = filter._id;
  if (typeof cond === 'string') return [cond];
  if (cond && typeof cond === 'object' && !Array.isArray(cond)) {
    const ops = cond as Record<string, unknown>;
    if (Object.keys(ops).length === 1 && typeof ops.$eq === 'string') return [ops.$eq];
    // Each document once, as MongoDB returns it, however often its `_id` is listed.
    if (Object.keys(ops).length === 1 && Array.isArray(ops.$in) && ops.$in.every((v) => typeof v === 'string')) return [...new Set(ops.$in as string[])];
  }
  return undefined;
}

/**
 * The primary-key range that a top-level `_id` condition ($gt/$gte/$lt/$lte) allows: where to start and when
 * a key is past the end. Only narrows the scan; mingo still checks the exact bounds.
 */
function idRange(filter: Filter): { start?: string; beyond: (key: Key) => boolean } {
  const cond = filter._id;
  const none = { beyond: () => false };
  if (!cond || typeof cond !== 'object' || Array.isArray(cond) || cond instanceof RegExp) return none;
  const ops = cond as Record<string, unknown>;
  const lower = [ops.$gt, ops.$gte].find((v): v is string => typeof v === 'string');
  const upper = [ops.$lt, ops.$lte].find((v): v is string => typeof v === 'string');
  return { start: lower, beyond: upper === undefined ? none.beyond : (key) => typeof key === 'string' && key > upper };
}

/** No sort, or ascending `_id` only. */
function isIdOrder(sort: FindOptions['sort']): boolean {
  const keys = Object.keys(sort ?? {});
  return keys.length === 0 || (keys.length === 1 && sort!._id === 1);
}

/** The matching documents of an ordered scan after `skip`, stopping once `limit` are found. */
function takeMatching<T>(query: Query, docs: Iterable<StoredDocument>, skip: number, limit: number | undefined): T[] {
  const out: T[] = [];
  if (limit === 0) return out;
  for (const doc of docs) {
    if (!query.test(doc)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(doc as unknown as T);
    if (out.length === limit) break;
  }
  return out;
}

/** The `_id`s under the plan's key ranges, in index order. */
function* scanIndex(db: Database<string, Key>, plan: IndexPlan): Generator<string> {
  const equalities = plan.bounds.filter((b) => b.values);
  const last = plan.bounds[plan.bounds.length - 1];
  // On an array (multikey) field `{$gt: a, $lt: b}` holds when one element is above a and another below b
  // (MongoDB semantics), so the two bounds cannot be intersected into one key range: scan from the lower bound
  // only, as MongoDB does on a multikey index, and let mingo check the upper one.
  const range = last && !last.values ? (last.lower && last.upper ? { ...last, upper: undefined } : last) : undefined;
  let prefixes: KeyValue[][] = [[]];
  for (const b of equalities) prefixes = prefixes.flatMap((p) => b.values!.map((v) => [...p, keyValue(v)]));
  for (const prefix of prefixes) {
    const start = range ? [...prefix, ...rangeStart(range)] : prefix;
    for (const entry of db.getRange({ start: start as Key })) {
      const key = entry.key as KeyValue[];
      if (!startsWith(key, prefix)) break;
      if (range) {
        const v = key[prefix.length];
        const position = inRange(v, range);
        if (position === 'after') break;
        if (position === 'before') continue;
      }
      yield entry.value;
    }
  }
}

function rangeStart(range: FieldBound): KeyValue[] {
  if (range.prefix !== undefined) return [keyValue(range.prefix)];
  return range.lower ? [keyValue(range.lower.value)] : [];
}

function startsWith(key: KeyValue[], prefix: KeyValue[]): boolean {
  return prefix.every((v, i) => key[i] === v);
}

function inRange(v: KeyValue, range: FieldBound): 'before' | 'inside' | 'after' {
  if (range.prefix !== undefined) {
    const prefix = keyValue(range.prefix) as string;
    if (typeof v !== 'string') return 'after';
    return v.startsWith(prefix) ? 'inside' : v < prefix ? 'before' : 'after';
  }
  const type = typeof (range.lower ?? range.upper)!.value;
  if (typeof v !== type) return range.lower ? 'after' : 'before';
  const x = v as string | number;
  // Keys hold strings cut to MAX_KEY_STRING, so compare with the bounds cut the same way; a key equal to a cut
  // bound may stand for a longer value on either side of the bound, so it is a candidate (mingo decides).
  const exact = !(typeof x === 'string' && x.length >= MAX_KEY_STRING);
  if (range.lower) {
    const lo = keyValue(range.lower.value) as string | number;
    if (x < lo || (x === lo && !range.lower.inclusive && exact)) return 'before';
  }
  if (range.upper) {
    const hi = keyValue(range.upper.value) as string | number;
    if (x > hi || (x === hi && !range.upper.inclusive && exact)) return 'after';
  }
  return 'inside';
}
