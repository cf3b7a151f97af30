/**
 * An index of the embedded store as opened (its LMDB database of `key -> _id` entries, the function that
 * computes a document's keys, its multikey flags) and how each write keeps it up to date.
 */
import type { Database, Key, RootDatabase } from 'lmdb';
import type { IndexSpec, StoredDocument } from '../port.ts';
import { compileIndexKeys, keyIdentity, type IndexKeysOf } from './compiled-index-keys.ts';
import { markMultiValued, missingAfterFirst, type MultiValued } from './index-keys.ts';
import type { KeyValue } from './index-plan.ts';

export interface OpenIndex {
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

export type MetaDatabase = Database<MultiValued | boolean, string>;

/** Opens (and, for a collection written before it was declared, builds) one index of a collection. */
/** The LMDB database name of an index. */
export function indexName(spec: IndexSpec): string {
  return `index:${spec.collection}:${spec.fields.join(',')}`;
}

export async function openIndex(
  root: RootDatabase,
  meta: MetaDatabase,
  spec: IndexSpec,
  docs: Database<StoredDocument, string>,
): Promise<OpenIndex> {
  const name = indexName(spec);
  const db = root.openDB<string, Key>({ name, dupSort: true, encoding: 'string' });
  const paths = spec.fields.map((f) => f.split('.'));
  const keysOf = compileIndexKeys(paths);
  const multi = await multiValued(meta, docs, name, paths);
  const index: OpenIndex = { spec, name, paths, keysOf, db, multi, omits: meta.get(`omits:${name}`) === true };
  await buildIndexIfEmpty(meta, docs, index);
  return index;
}

/**
 * Which fields of an index have held several values in one document, as MongoDB's multikey paths: kept in
 * the `meta` database as writes reveal them; computed once from the documents for a store written before.
 */
async function multiValued(
  meta: MetaDatabase,
  docs: Database<StoredDocument, string>,
  name: string,
  paths: string[][],
): Promise<MultiValued> {
  const key = `multivalued:${name}`;
  const known = meta.get(key);
  if (typeof known === 'object' && known.perDocument.length === paths.length) return known;
  const multi: MultiValued = { perDocument: paths.map(() => false), perElement: paths.map(() => false) };
  for (const { value } of docs.getRange()) markMultiValued(multi, value, paths);
  await meta.put(key, multi);
  return multi;
}

/**
 * An index of the engine's collections no longer declared (as `strx`, port.ts) is deleted with its flags: left in
 * place it would go stale, and declared again later it would not be rebuilt (`buildIndexIfEmpty`). Named databases
 * are keys of the root. A feature's indexes are left alone: a process that runs without that feature (a reindex)
 * has not declared them.
 */
export async function dropUndeclaredIndexes(
  root: RootDatabase,
  meta: MetaDatabase,
  declared: ReadonlySet<string>,
  collections: readonly string[],
): Promise<void> {
  const ours = (key: string) => collections.some((c) => key.startsWith(`index:${c}:`));
  const undeclared = [...root.getKeys()].filter((key): key is string => typeof key === 'string' && ours(key) && !declared.has(key));
  for (const name of undeclared) {
    await root.openDB<string, Key>({ name, dupSort: true, encoding: 'string' }).drop();
    await meta.remove(`multivalued:${name}`);
    await meta.remove(`omits:${name}`);
  }
}

/** An index declared after documents exist is built from them once. */
async function buildIndexIfEmpty(meta: MetaDatabase, docs: Database<StoredDocument, string>, index: OpenIndex): Promise<void> {
  const { db } = index;
  if (db.getKeysCount({ limit: 1 }) > 0 || docs.getKeysCount({ limit: 1 }) === 0) return;
  await db.transaction(() => {
    for (const { value } of docs.getRange()) {
      for (const key of storedKeys(meta, index, index.keysOf(value))) db.put(key as Key, value._id);
    }
  });
  await db.flushed;
}

/**
 * The keys stored: all but those whose fields after the first are all null (a document without the field:
 * about a fifth of a resource's keys). The first one left out marks the index (`omits`), in the same write.
 */
function storedKeys(meta: MetaDatabase, index: OpenIndex, keys: KeyValue[][]): KeyValue[][] {
  if (index.paths.length < 2 || !keys.some(missingAfterFirst)) return keys;
  if (!index.omits) {
    index.omits = true;
    void meta.put(`omits:${index.name}`, true);
  }
  return keys.filter((key) => !missingAfterFirst(key));
}

/**
 * Index maintenance for one written document: the keys of a new document, or only those that changed since
 * `previous` (most of a resource's index entries stay the same across versions).
 */
export function updateIndexes(meta: MetaDatabase, indexes: OpenIndex[], previous: StoredDocument | undefined, doc: StoredDocument): void {
  for (const index of indexes) {
    const { paths, db } = index;
    const all = index.keysOf(doc);
    if (all.length > 1 && markMultiValued(index.multi, doc, paths)) void meta.put(`multivalued:${index.name}`, index.multi);
    const keys = storedKeys(meta, index, all);
    if (!previous) {
      for (const key of keys) void db.put(key as Key, doc._id);
      continue;
    }
    // Only the keys that changed: most of a resource's index entries stay the same across versions. A null key
    // written before keys were left out stays (no plan reads it once the index omits keys).
    const previousKeys = storedKeys(meta, index, index.keysOf(previous));
    if (previous._id === doc._id && sameKeys(previousKeys, keys)) continue;
    const before = new Map(previousKeys.map((k) => [keyIdentity(k), k]));
    const after = new Map(keys.map((k) => [keyIdentity(k), k]));
    for (const [s, key] of before) if (!after.has(s)) void db.remove(key as Key, previous._id);
    for (const [s, key] of after) if (!before.has(s)) void db.put(key as Key, doc._id);
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
