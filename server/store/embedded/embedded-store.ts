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
import { boundOf, conjunctiveConditions, indexPlans, type FieldBound, type IndexPlan, type KeyValue } from './index-plan.ts';
import { matcherOf, type Matcher } from './equality-match.ts';
import { compileIndexKeys, keyIdentity, type IndexKeysOf } from './compiled-index-keys.ts';
import { keyValue, markMultiValued, MAX_KEY_STRING, missingAfterFirst, type MultiValued } from './index-keys.ts';


interface OpenIndex {
  spec: IndexSpec;
  /** Its LMDB database name. */
  name: string;
  /** The spec's fields split on dots. */
  paths: string[][];
  /** The index keys of a document. */
  keysOf: IndexKeysOf;
  db: Database<string, Key>;
  multi: MultiValued;
  /**
   * Some document's keys are left out: keys whose fields after the first are all null (missing) are not stored,
   * so a plan on this index must bound a later field to something other than null (`readsNoOmittedKey`).
   */
  omits: boolean;
}

/** How a read finds its candidates: by primary key, through one index, or by scanning the collection. */
type ScanPlan =
  | { kind: 'id'; ids: string[] }
  /**
   * `ids`: the plan's `_id`s in scan order when counting already read them; `also`: other index plans whose
   * `_id`s the candidates must be among (index intersection).
   */
  | { kind: 'index'; open: OpenIndex; plan: IndexPlan; ids?: string[]; also?: { open: OpenIndex; plan: IndexPlan; ids?: string[] }[] }
  | { kind: 'collection' };

/** Candidate plans whose keys are counted before choosing, and the count beyond which plans tie. */
const PLANS_COUNTED = 8;
const COUNT_CAP = 2000;
/** A plan with at most this many keys, and this many times the best plan's, is intersected with it. */
const INTERSECT_MAX_KEYS = 500;
const INTERSECT_RATIO = 20;

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
  private readonly bySpec = new Map<IndexSpec, OpenIndex>();
  /** The indexes on top-level fields only, more fields first (`tinyExactScan`). */
  private readonly lookupIndexes = new Map<CollectionName, OpenIndex[]>();
  private meta?: Database<MultiValued | boolean, string>;
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
    this.meta = this.root.openDB<MultiValued | boolean, string>({ name: 'meta', encoding: 'msgpack' });
    for (const spec of this.indexSpecs) {
      const name = `index:${spec.collection}:${spec.fields.join(',')}`;
      const db = this.root.openDB<string, Key>({
        name,
        dupSort: true,
        encoding: 'string',
      });
      const paths = spec.fields.map((f) => f.split('.'));
      const keysOf = compileIndexKeys(paths);
      const multi = await this.multiValued(spec.collection, name, paths);
      const index: OpenIndex = { spec, name, paths, keysOf, db, multi, omits: this.meta.get(`omits:${name}`) === true };
      await this.buildIndexIfEmpty(spec.collection, index);
      this.indexes.get(spec.collection)!.push(index);
      this.bySpec.set(spec, index);
    }
    await this.dropUndeclaredIndexes();
    for (const [collection, indexes] of this.indexes) {
      // Stable: among as many fields, in declaration order, as the planner counts exact keys.
      const topLevel = indexes.filter((o) => o.paths.every((p) => p.length === 1));
      this.lookupIndexes.set(collection, topLevel.sort((a, b) => b.paths.length - a.paths.length));
    }
  }

  /**
   * Which fields of an index have held several values in one document, as MongoDB's multikey paths: kept in
   * the `meta` database as writes reveal them; computed once from the documents for a store written before.
   */
  private async multiValued(collection: CollectionName, name: string, paths: string[][]): Promise<MultiValued> {
    const key = `multivalued:${name}`;
    const known = this.meta!.get(key);
    if (typeof known === 'object' && known.perDocument.length === paths.length) return known;
    const multi: MultiValued = { perDocument: paths.map(() => false), perElement: paths.map(() => false) };
    for (const { value } of this.collection(collection).getRange()) markMultiValued(multi, value, paths);
    await this.meta!.put(key, multi);
    return multi;
  }

  /**
   * An index no longer declared (as `strx`, port.ts) is deleted with its flags: left in place it would go stale,
   * and declared again later it would not be rebuilt (`buildIndexIfEmpty`). Named databases are keys of the root.
   */
  private async dropUndeclaredIndexes(): Promise<void> {
    const declared = new Set([...this.bySpec.values()].map((index) => index.name));
    const undeclared = [...this.root!.getKeys()].filter((key): key is string => typeof key === 'string' && key.startsWith('index:') && !declared.has(key));
    for (const name of undeclared) {
      await this.root!.openDB<string, Key>({ name, dupSort: true, encoding: 'string' }).drop();
      await this.meta!.remove(`multivalued:${name}`);
      await this.meta!.remove(`omits:${name}`);
    }
  }

  /** An index declared after documents exist is built from them once. */
  private async buildIndexIfEmpty(collection: CollectionName, index: OpenIndex) {
    const { db } = index;
    const docs = this.collection(collection);
    if (db.getKeysCount({ limit: 1 }) > 0 || docs.getKeysCount({ limit: 1 }) === 0) return;
    await db.transaction(() => {
      for (const { value } of docs.getRange()) {
        for (const key of this.storedKeys(index, index.keysOf(value))) db.put(key as Key, value._id);
      }
    });
    await db.flushed;
  }

  /**
   * The keys stored: all but those whose fields after the first are all null (a document without the field:
   * about a fifth of a resource's keys). The first one left out marks the index (`omits`), in the same write.
   */
  private storedKeys(index: OpenIndex, keys: KeyValue[][]): KeyValue[][] {
    if (index.paths.length < 2 || !keys.some(missingAfterFirst)) return keys;
    if (!index.omits) {
      index.omits = true;
      void this.meta!.put(`omits:${index.name}`, true);
    }
    return keys.filter((key) => !missingAfterFirst(key));
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
      const found = [...this.candidates(collection, filter, { kind: 'id', ids: idLookup(filter)! })] as T[];
      return options.limit === undefined ? found : found.slice(0, options.limit);
    }
    const scan = this.planScan(collection, filter);
    if (inIdOrder(scan) && isIdOrder(options.sort)) {
      // The scan already yields `_id` order (a collection scan, sorted ids, or one exact index key whose `_id`s
      // LMDB keeps sorted), so stop at the page's end instead of letting mingo read and sort the whole range.
      return takeMatching<T>(matcherOf(filter), this.candidates(collection, filter, scan), options.skip ?? 0, options.limit);
    }
    let cursor = new Query(filter).find<T>(this.candidates(collection, filter, scan));
    if (options.sort && Object.keys(options.sort).length > 0) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return cursor.all();
  }

  async count(collection: CollectionName, filter: Filter): Promise<number> {
    const scan = this.planScan(collection, filter);
    // A covered count, as MongoDB's COUNT_SCAN: the key's entries are the matches, no document is read.
    if (scan.kind === 'index' && coveredBy(filter, scan.plan)) return scan.open.db.getValuesCount(equalityPrefixes(scan.plan.bounds)[0] as Key);
    const matches = matcherOf(filter);
    let n = 0;
    for (const doc of this.candidates(collection, filter, scan)) if (matches(doc)) n++;
    return n;
  }

  /** The index used and, as MongoDB's `executionStats` say, how many index keys (or documents) the scan reads. */
  async explain(collection: CollectionName, filter: Filter): Promise<string> {
    const scan = this.planScan(collection, filter);
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
   * The cheapest way to the candidates: `_id`s given by the filter, or of the indexes that bind it the one
   * whose bounds hold the fewest keys (counted up to COUNT_CAP; LMDB counts one key's values natively), or the
   * collection. MongoDB chooses alike by racing its candidate plans.
   */
  private planScan(collection: CollectionName, filter: Filter): ScanPlan {
    const top = idLookup(filter);
    if (top) return { kind: 'id', ids: top };
    const open = this.indexes.get(collection) ?? [];
    const conditions = conjunctiveConditions(filter);
    if (!conditions.has('_id')) {
      const tiny = tinyExactScan(this.lookupIndexes.get(collection) ?? [], conditions);
      if (tiny) return tiny;
    }
    const nested = conjunctiveIds(conditions);
    const singleValued = (spec: IndexSpec, position: number, withinElement: boolean) => {
      const multi = this.bySpec.get(spec)?.multi;
      return !!multi && !(withinElement ? multi.perElement[position] : multi.perDocument[position]);
    };
    const usable = indexPlans(filter, open.map((o) => o.spec), singleValued, conditions).filter((p) => readsNoOmittedKey(this.bySpec.get(p.index)!, p));
    const bound = distinctPlans(usable).slice(0, PLANS_COUNTED);
    // Exact keys first: LMDB counts them natively, and a small count caps the scans counted after them.
    const plans = [...bound.filter(exactKeys), ...bound.filter((p) => !exactKeys(p))];
    let best: ScanPlan = nested ? { kind: 'id', ids: nested } : { kind: 'collection' };
    if (plans.length === 0) return best;
    if (!nested && plans.length === 1) return { kind: 'index', open: this.bySpec.get(plans[0].index)!, plan: plans[0] };
    let bestKeys = nested ? nested.length : Infinity;
    const counted: { index: OpenIndex; plan: IndexPlan; keys: number; ids?: string[] }[] = [];
    for (const plan of plans) {
      const index = this.bySpec.get(plan.index)!;
      // Counted far enough to know whether the plan is worth intersecting with the best (see below).
      const { keys, ids } = countKeys(index, plan, Math.min(COUNT_CAP, bestKeys === Infinity ? COUNT_CAP : Math.max(bestKeys * INTERSECT_RATIO, INTERSECT_MAX_KEYS) + 1));
      counted.push({ index, plan, keys, ids });
      if (keys < bestKeys || (bestKeys === Infinity && best.kind === 'collection')) {
        best = { kind: 'index', open: index, plan, ids };
        bestKeys = keys;
      }
    }
    if (best.kind !== 'index' || bestKeys < 4) return best;
    // Index intersection (MongoDB's AND_SORTED): reading index keys costs far less than reading a document, so
    // other plans with few keys narrow the best one's candidates before any document is read.
    const chosen = best.plan;
    const also = counted.filter((c) => c.plan !== chosen && c.keys <= INTERSECT_MAX_KEYS && c.keys <= bestKeys * INTERSECT_RATIO);
    return also.length === 0 ? best : { ...best, also: also.map((c) => ({ open: c.index, plan: c.plan, ids: c.ids })) };
  }

  /** The documents that may match, as `scan` finds them. */
  private *candidates(collection: CollectionName, filter: Filter, scan: ScanPlan): Generator<StoredDocument> {
    const docs = this.collection(collection);
    if (scan.kind === 'id') {
      for (const id of scan.ids) {
        const doc = docs.get(id);
        if (doc) yield doc;
      }
      return;
    }
    if (scan.kind === 'collection') {
      const { start, beyond } = idRange(filter);
      for (const { key, value } of docs.getRange(start === undefined ? {} : { start })) {
        if (beyond(key)) break;
        yield value;
      }
      return;
    }
    const seen = new Set<string>();
    const within = (scan.also ?? []).map(({ open, plan, ids }) => new Set(ids ?? scanIndex(open.db, plan)));
    for (const id of scan.ids ?? scanIndex(scan.open.db, scan.plan, idStart(filter))) {
      if (seen.has(id) || !within.every((ids) => ids.has(id))) continue;
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
          // Puts made outside a transaction callback are encoded here and applied by LMDB's write thread, off the
          // main thread; lmdb-js commits every write of one event turn in one transaction (eventTurnBatching), so
          // the batch stays all or nothing. Reads see the last commit, `written` what this batch wrote before.
          const written = new Map<string, StoredDocument>();
          outcomes = batch.map((unit) => this.applyUnit(unit.operations, written));
          await root.committed;
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
    for (const index of this.indexes.get(collection) ?? []) {
      const { paths, db } = index;
      const all = index.keysOf(doc);
      if (all.length > 1 && markMultiValued(index.multi, doc, paths)) void this.meta!.put(`multivalued:${index.name}`, index.multi);
      const keys = this.storedKeys(index, all);
      if (!previous) {
        for (const key of keys) void db.put(key as Key, doc._id);
        continue;
      }
      // Only the keys that changed: most of a resource's index entries stay the same across versions. A null key
      // written before keys were left out stays (no plan reads it once the index omits keys).
      const previousKeys = this.storedKeys(index, index.keysOf(previous));
      if (previous._id === doc._id && sameKeys(previousKeys, keys)) continue;
      const before = new Map(previousKeys.map((k) => [keyIdentity(k), k]));
      const after = new Map(keys.map((k) => [keyIdentity(k), k]));
      for (const [s, key] of before) if (!after.has(s)) void db.remove(key as Key, previous._id);
      for (const [s, key] of after) if (!before.has(s)) void db.put(key as Key, doc._id);
    }
    void this.collection(collection).put(doc._id, doc);
  }
}

/** The same keys in the same order, value for value. */
function sameKeys(a: KeyValue[][], b: KeyValue[][]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
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

/** `_id` equality or `$in` among the conditions that must all hold (e.g. the matches of a `_has`), sorted. */
function conjunctiveIds(conditions: Map<string, unknown[]>): string[] | undefined {
  let ids: string[] | undefined;
  for (const cond of conditions.get('_id') ?? []) {
    const found = idLookup({ _id: cond });
    if (found && (!ids || found.length < ids.length)) ids = found;
  }
  return ids && [...ids].sort();
}

/** The lowest `_id` a match may have, from an `_id` `$gt`/`$gte` that must hold (a keyset page on `_id`). */
function idStart(filter: Filter): string | undefined {
  let start: string | undefined;
  for (const cond of conjunctiveConditions(filter).get('_id') ?? []) {
    if (!cond || typeof cond !== 'object' || Array.isArray(cond) || cond instanceof RegExp) continue;
    const ops = cond as Record<string, unknown>;
    for (const v of [ops.$gt, ops.$gte]) if (typeof v === 'string' && (start === undefined || v > start)) start = v;
  }
  return start;
}

/**
 * The plan's key ranges hold no key left out of the index: it bounds a field after the first to values other
 * than null, or by a range or prefix (which null is never within). A document missing that field cannot match.
 */
function readsNoOmittedKey(index: OpenIndex, plan: IndexPlan): boolean {
  return !index.omits || plan.bounds.some((b, i) => i > 0 && !b.values?.includes(null));
}

/** Exact keys counted at most by `tinyExactScan` before it leaves the choice to the full planner. */
const TINY_COUNTED = 8;

/**
 * One exact key with at most one entry (a lookup by identifier): its one candidate, if any, is the only document
 * that can match, so no other plan can leave fewer to test and the result is the same whichever plan reads it;
 * taken without enumerating and counting every plan. Only indexes on top-level fields, each bound by an equality
 * that must hold, in the order the planner counts exact keys; the first with the fewest entries.
 */
function tinyExactScan(indexes: OpenIndex[], conditions: Map<string, unknown[]>): ScanPlan | undefined {
  let best: { index: OpenIndex; plan: IndexPlan } | undefined;
  let bestKeys = 2;
  let counted = 0;
  for (const index of indexes) {
    const key: KeyValue[] = [];
    for (const field of index.spec.fields) {
      const value = equalityOf(conditions.get(field));
      if (value === undefined) break;
      key.push(value);
    }
    if (key.length < index.spec.fields.length) continue;
    if (++counted > TINY_COUNTED) return undefined;
    const keys = index.db.getValuesCount(key.map(keyValue) as Key);
    if (keys < bestKeys) {
      best = { index, plan: { index: index.spec, bounds: key.map((v) => ({ values: [v] })), score: 2 * key.length } };
      bestKeys = keys;
      if (keys === 0) break;
    }
  }
  return best && { kind: 'index', open: best.index, plan: best.plan };
}

/** The value of the first plain equality (a string, boolean or finite number) among a field's conditions. */
function equalityOf(conds: unknown[] | undefined): KeyValue | undefined {
  for (const cond of conds ?? []) {
    const values = boundOf(cond)?.values;
    const v = values?.length === 1 ? values[0] : undefined;
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  }
  return undefined;
}

/** True when the scan yields documents in `_id` order. */
function inIdOrder(scan: ScanPlan): boolean {
  if (scan.kind !== 'index') return scan.kind === 'collection' || scan.ids.every((id, i) => i === 0 || scan.ids[i - 1] < id);
  return exactKey(scan.plan);
}

/** Every field of the index bound to one value: one LMDB key, whose values (`_id`s) LMDB keeps sorted. */
function exactKey(plan: IndexPlan): boolean {
  return plan.bounds.length === plan.index.fields.length && plan.bounds.every((b) => b.values?.length === 1);
}

/**
 * The filter is nothing but equalities (in `$and`s) on the fields of the plan's one exact key, with the values
 * of that key: every entry under the key is a match and every match has one entry there.
 */
function coveredBy(filter: Filter, plan: IndexPlan): boolean {
  if (!exactKey(plan)) return false;
  const fields = plan.index.fields;
  const covered = (f: Filter): boolean =>
    Object.entries(f).every(([field, cond]) => {
      if (field === '$and') return Array.isArray(cond) && cond.every((c) => covered(c as Filter));
      const i = fields.indexOf(field);
      const value = i < 0 ? undefined : plan.bounds[i].values![0];
      // Scalars only (no operator, regex or null), and no string long enough to be cut in the key.
      return value !== undefined && value !== null && cond === value && !(typeof cond === 'string' && cond.length >= MAX_KEY_STRING);
    });
  return covered(filter);
}

/** Every field of the index bound by equality or `$in`: whole keys, counted natively. */
function exactKeys(plan: IndexPlan): boolean {
  return plan.bounds.length === plan.index.fields.length && plan.bounds.every((b) => b.values);
}

/**
 * Drops the plans not worth counting: one that binds the same fields as an earlier plan with the same bounds
 * (e.g. `resourceType` alone, on every index), or a strict subset of another plan's bound fields (its
 * candidates include all of the other's).
 */
function distinctPlans(plans: IndexPlan[]): IndexPlan[] {
  const signatures = plans.map((p) => new Set(p.bounds.map((b, i) => `${p.index.fields[i]}=${JSON.stringify(b)}`)));
  const subset = (a: Set<string>, b: Set<string>) => a.size < b.size && [...a].every((x) => b.has(x));
  const seen = new Set<string>();
  return plans.filter((p, i) => {
    const signature = JSON.stringify([exactKey(p), [...signatures[i]]]);
    if (seen.has(signature) || signatures.some((other) => subset(signatures[i], other))) return false;
    seen.add(signature);
    return true;
  });
}

/**
 * How many index entries the plan scans: exact keys counted natively by LMDB, other ranges by scanning them
 * up to `cap` (Infinity beyond: too many to be worth knowing; among such plans the better bound one wins).
 */
function countKeys(index: OpenIndex, plan: IndexPlan, cap: number): { keys: number; ids?: string[] } {
  if (exactKeys(plan)) {
    let n = 0;
    for (const key of equalityPrefixes(plan.bounds)) n += index.db.getValuesCount(key as Key);
    return { keys: n };
  }
  // The `_id`s scanned are kept: the chosen plan's candidates, or an intersection's set, without scanning again.
  const ids: string[] = [];
  for (const id of scanIndex(index.db, plan)) if (ids.push(id) >= cap) return { keys: Infinity };
  return { keys: ids.length, ids };
}

function equalityPrefixes(bounds: FieldBound[]): KeyValue[][] {
  let prefixes: KeyValue[][] = [[]];
  for (const b of bounds.filter((x) => x.values)) prefixes = prefixes.flatMap((p) => b.values!.map((v) => [...p, keyValue(v)]));
  return prefixes;
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
function takeMatching<T>(matches: Matcher, docs: Iterable<StoredDocument>, skip: number, limit: number | undefined): T[] {
  const out: T[] = [];
  if (limit === 0) return out;
  for (const doc of docs) {
    if (!matches(doc)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(doc as unknown as T);
    if (out.length === limit) break;
  }
  return out;
}

/**
 * The `_id`s under the plan's key ranges, in index order. `fromId`: on one exact key, start at that `_id` (the
 * values of one key are sorted), for keyset pages; elsewhere ignored (mingo checks it).
 */
function* scanIndex(db: Database<string, Key>, plan: IndexPlan, fromId?: string): Generator<string> {
  const last = plan.bounds[plan.bounds.length - 1];
  // On an array (multikey) field `{$gt: a, $lt: b}` holds when one element is above a and another below b
  // (MongoDB semantics), so the two bounds cannot be intersected into one key range: scan from the lower bound
  // only, as MongoDB does on a multikey index, and let mingo check the upper one. The planner marks the bounds
  // that one value must meet (`intersect`: a field never multi-valued, or one `$elemMatch`).
  const range = last && !last.values ? (last.lower && last.upper && !last.intersect ? { ...last, upper: undefined } : last) : undefined;
  const prefixes = equalityPrefixes(plan.bounds);
  if (fromId !== undefined && exactKey(plan)) {
    // Skipped here rather than with a `start` value: lmdb-js cannot encode one for a `string`-encoded database.
    for (const id of db.getValues(prefixes[0] as Key)) if (id >= fromId) yield id;
    return;
  }
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
