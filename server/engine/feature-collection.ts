/**
 * A feature's own collection (the HL7 archive, a delivery queue): read freely, written only in units of work,
 * alone or with a transaction's writes (`TransactionOptions.extra`). FHIR resources are never reached this way:
 * they go through the write path.
 */
import type { Filter, FindOptions, Store, StoredDocument, WriteOperation } from '../store/port.ts';
import { CORE_COLLECTIONS } from '../store/port.ts';

export interface FeatureCollection<T extends StoredDocument> {
  readonly name: string;
  findOne(filter: Filter): Promise<T | undefined>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  count(filter: Filter): Promise<number>;
  /** An insert, failing its unit when `_id` exists. */
  insert(doc: T): WriteOperation;
  /** An upsert when the current document matches `expect` (`null`: must not exist). */
  replace(doc: T, expect?: Filter | null): WriteOperation;
  /** Applies the operations, all or none, durably. */
  write(operations: WriteOperation[]): Promise<void>;
}

export function featureCollection<T extends StoredDocument>(store: Store, name: string): FeatureCollection<T> {
  if ((CORE_COLLECTIONS as readonly string[]).includes(name)) throw new Error(`${name} is the engine's own collection`);
  return {
    name,
    findOne: (filter) => store.findOne<T>(name, filter),
    find: (filter, options) => store.find<T>(name, filter, options),
    count: (filter) => store.count(name, filter),
    insert: (doc) => ({ op: 'insert', collection: name, doc }),
    replace: (doc, expect) => ({ op: 'replace', collection: name, doc, ...(expect !== undefined && { expect }) }),
    write: (operations) => {
      for (const o of operations) if (o.collection !== name) throw new Error(`${name} cannot write ${o.collection}`);
      return store.write(operations);
    },
  };
}
