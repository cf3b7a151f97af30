/**
 * The storage port: the only way the rest of Fhirline touches a database.
 *
 * It speaks MongoDB filter documents so that one compiled search runs unchanged on both adapters
 * (MongoDB itself, and the embedded store that evaluates the same documents with MongoDB semantics).
 * See ./README.md for the document shapes.
 */

/** A MongoDB filter document, e.g. `{ resourceType: 'Observation', tok: 'code|8480-6|http://loinc.org' }` (tokens are `param|code|system`). */
export type Filter = Record<string, unknown>;

/** MongoDB sort specification: field -> 1 (ascending) or -1 (descending). Order of keys is significant. */
export type Sort = Record<string, 1 | -1>;

export interface FindOptions {
  sort?: Sort;
  skip?: number;
  limit?: number;
}

/**
 * The engine's collections (documents.ts): current versions, history, outbox, and the keys that make conditional
 * creates race-free (one document per `Type?search` that created a resource, as HAPI's search URL table).
 * Features add their own with `Store.register` (the HL7 listener's archive, later subscriptions' queue).
 */
export const CORE_COLLECTIONS = ['resources', 'history', 'outbox', 'conditional'] as const;
export type CollectionName = string;

/** A collection a feature keeps, with its indexes (each a list of fields, as `IndexSpec.fields`). */
export interface CollectionSpec {
  name: CollectionName;
  indexes: string[][];
}

/** Every stored document has a string primary key. */
export interface StoredDocument {
  _id: string;
  [field: string]: unknown;
}

/**
 * One operation inside an atomic unit of work.
 * - insert: fails the whole unit with `DuplicateKeyError` when `_id` exists.
 * - replace: writes `doc` (upsert) when the current document with `doc._id` matches `expect`;
 *   `expect: null` means "must not exist yet". A mismatch fails the whole unit with `PreconditionFailedError`.
 */
export type WriteOperation =
  | { op: 'insert'; collection: CollectionName; doc: StoredDocument }
  | { op: 'replace'; collection: CollectionName; doc: StoredDocument; expect?: Filter | null };

/**
 * An index the adapter must maintain, in MongoDB `createIndex` terms: fields in order, ascending.
 * Array-valued fields are multikey, as in MongoDB.
 */
export interface IndexSpec {
  collection: CollectionName;
  fields: string[];
}

export interface Store {
  /** Declares a feature's collection and its indexes; only before `open()`. */
  register(collection: CollectionSpec): void;
  /** Opens the database and creates the declared collections and indexes (idempotent). */
  open(): Promise<void>;
  close(): Promise<void>;
  /** True when the database answers; used by `GET /readyz`. */
  ping(): Promise<boolean>;

  findOne<T extends StoredDocument>(collection: CollectionName, filter: Filter): Promise<T | undefined>;
  find<T extends StoredDocument>(collection: CollectionName, filter: Filter, options?: FindOptions): Promise<T[]>;
  count(collection: CollectionName, filter: Filter): Promise<number>;

  /**
   * Applies every operation or none (one MongoDB multi-document transaction; one LMDB transaction).
   * Resolves only once the unit is durable.
   */
  write(operations: WriteOperation[]): Promise<void>;

  /** How the adapter would answer a filter: the index it uses, for benchmarks and the search issue. */
  explain(collection: CollectionName, filter: Filter, options?: FindOptions): Promise<string>;
}

/** The unit of work failed because a `replace` precondition did not hold (a concurrent writer won). */
export class PreconditionFailedError extends Error {
  constructor(readonly documentId: string) {
    super(`precondition failed for ${documentId}`);
    this.name = 'PreconditionFailedError';
  }
}

/** The unit of work failed because an `insert` hit an existing `_id`. */
export class DuplicateKeyError extends Error {
  constructor(readonly documentId: string) {
    super(`duplicate key ${documentId}`);
    this.name = 'DuplicateKeyError';
  }
}

/** The engine's indexes, created on open: the attribute-pattern indexes of search (README.md) and history's. */
export const INDEXES: IndexSpec[] = [
  { collection: 'resources', fields: ['resourceType', 'lastUpdated'] },
  // Every current resource of a type in `_id` order: a search's first page without criteria, and its count.
  { collection: 'resources', fields: ['resourceType', 'deleted'] },
  { collection: 'resources', fields: ['resourceType', 'tok'] },
  { collection: 'resources', fields: ['resourceType', 'ref'] },
  { collection: 'resources', fields: ['resourceType', 'str'] },
  { collection: 'resources', fields: ['resourceType', 'dt.p', 'dt.lo'] },
  { collection: 'resources', fields: ['resourceType', 'num.p', 'num.lo'] },
  { collection: 'resources', fields: ['resourceType', 'uri'] },
  // No index on `strx`: `:exact` also binds `str` to the normalised value (compile-string.ts), whose index finds
  // every candidate; an index of its own was 18 more keys per Patient, ~40% of the pages a create wrote.
  { collection: 'resources', fields: ['resourceType', 'cmp.tok'] },
  { collection: 'history', fields: ['resourceType', 'id', 'versionId'] },
  { collection: 'history', fields: ['resourceType', 'lastUpdated'] },
  { collection: 'history', fields: ['lastUpdated'] },
];

/** What `register` does in both adapters: the collection's name and index specs added to those to open. */
export function registerCollection(names: CollectionName[], indexes: IndexSpec[], opened: boolean, spec: CollectionSpec): void {
  if (opened) throw new Error(`collection ${spec.name} registered after the store was opened`);
  if (names.includes(spec.name)) throw new Error(`collection ${spec.name} registered twice`);
  names.push(spec.name);
  for (const fields of spec.indexes) indexes.push({ collection: spec.name, fields });
}
