/**
 * The storage port: the only way the rest of Fhirline touches a database.
 *
 * It speaks MongoDB filter documents so that one compiled search runs unchanged on both adapters
 * (MongoDB itself, and the embedded store that evaluates the same documents with MongoDB semantics).
 * See ./README.md for the document shapes.
 */

/** A MongoDB filter document, e.g. `{ resourceType: 'Patient', tok: 'gender|http://hl7.org/fhir/administrative-gender|female' }`. */
export type Filter = Record<string, unknown>;

/** MongoDB sort specification: field -> 1 (ascending) or -1 (descending). Order of keys is significant. */
export type Sort = Record<string, 1 | -1>;

export interface FindOptions {
  sort?: Sort;
  skip?: number;
  limit?: number;
}

/**
 * The collections (documents.ts): current versions, history, outbox, the keys that make conditional
 * creates race-free (one document per `Type?search` that created a resource, as HAPI's search URL table), the
 * HL7 archive and the HL7 assigning authorities seen without a mapping.
 */
export const COLLECTIONS = ['resources', 'history', 'outbox', 'conditional', 'hl7messages', 'hl7authorities'] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

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
  /** Opens the database and creates the declared indexes (idempotent). */
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

/** The indexes every adapter creates on open; the search issue adds its attribute-pattern indexes here. */
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
  { collection: 'resources', fields: ['resourceType', 'strx'] },
  { collection: 'resources', fields: ['resourceType', 'cmp.tok'] },
  { collection: 'history', fields: ['resourceType', 'id', 'versionId'] },
  { collection: 'history', fields: ['resourceType', 'lastUpdated'] },
  { collection: 'history', fields: ['lastUpdated'] },
  { collection: 'hl7messages', fields: ['status', 'receivedAt'] },
];
