/**
 * The MongoDB adapter of the storage port, on the official driver.
 *
 * Every `write()` is ONE multi-document transaction (`session.withTransaction`, read concern `snapshot`,
 * write concern `majority` + journal), so a unit of work is all-or-nothing and acknowledged only once durable.
 * Multi-document transactions need a replica set (a single-node replica set is enough) or a sharded cluster:
 * a standalone mongod rejects them with "Transaction numbers are only allowed on a replica set member or mongos".
 *
 * Concurrency: two transactions that write the same document conflict (WriteConflict, labelled
 * TransientTransactionError); `withTransaction` retries the loser's whole callback, and on the retry its
 * precondition is checked again against the winner's committed document, so it fails with
 * `PreconditionFailedError` (or `DuplicateKeyError`) instead of overwriting the winner.
 */
import {
  MongoClient,
  MongoError,
  MongoErrorLabel,
  ReadConcern,
  WriteConcern,
  type ClientSession,
  type Collection,
  type Db,
  type Document,
  type Filter as MongoFilter,
  type FindOptions as MongoFindOptions,
  type TransactionOptions,
} from 'mongodb';
import {
  DuplicateKeyError,
  INDEXES,
  PreconditionFailedError,
  CORE_COLLECTIONS,
  registerCollection,
  type CollectionSpec,
  type CollectionName,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Store,
  type StoredDocument,
  type WriteOperation,
} from '../port.ts';

/** MongoDB's duplicate key error code. */
const DUPLICATE_KEY = 11000;
/** The server's answer when a transaction is attempted on a standalone mongod. */
const STANDALONE_MESSAGE = 'Transaction numbers are only allowed on a replica set member or mongos';
/** How long `ping()` waits before answering false. */
const PING_TIMEOUT_MS = 5_000;

const TRANSACTION_OPTIONS: TransactionOptions = {
  readConcern: new ReadConcern('snapshot'),
  writeConcern: new WriteConcern('majority', undefined, true),
};

export class MongoStore implements Store {
  private client?: MongoClient;
  private db?: Db;
  private readonly indexSpecs: IndexSpec[];
  private readonly collectionNames: CollectionName[] = [...CORE_COLLECTIONS];

  constructor(
    private readonly uri: string,
    private readonly dbName: string,
    indexSpecs: IndexSpec[] = INDEXES,
  ) {
    this.indexSpecs = [...indexSpecs];
  }

  register(spec: CollectionSpec): void {
    registerCollection(this.collectionNames, this.indexSpecs, this.client !== undefined, spec);
  }

  async open(): Promise<void> {
    if (this.client) return;
    // A new client on every open, so that close() then open() works.
    const client = new MongoClient(this.uri);
    try {
      await client.connect();
      const db = client.db(this.dbName);
      // Create the collections up front: a transaction with read concern "snapshot" cannot create one implicitly.
      const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
      for (const name of this.collectionNames) {
        if (existing.has(name)) continue;
        try {
          await db.createCollection(name);
        } catch (err) {
          // NamespaceExists: another process created it meanwhile.
          if (!(err instanceof MongoError && err.code === 48)) throw err;
        }
      }
      for (const spec of this.indexSpecs) {
        await db
          .collection(spec.collection)
          .createIndex(Object.fromEntries(spec.fields.map((field) => [field, 1] as const)), { name: indexName(spec.fields) });
      }
      this.client = client;
      this.db = db;
    } catch (err) {
      await client.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.db = undefined;
    await client?.close();
  }

  async ping(): Promise<boolean> {
    const db = this.db;
    if (!db) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
      });
      const answer = db.command({ ping: 1 }).then((reply) => reply.ok === 1);
      return await Promise.race([answer, timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private collection(name: CollectionName): Collection<StoredDocument> {
    if (!this.db) throw new Error('MongoDB store is not open');
    return this.db.collection<StoredDocument>(name);
  }

  async findOne<T extends StoredDocument>(collection: CollectionName, filter: Filter): Promise<T | undefined> {
    return (await this.find<T>(collection, filter, { limit: 1 }))[0];
  }

  async find<T extends StoredDocument>(collection: CollectionName, filter: Filter, options: FindOptions = {}): Promise<T[]> {
    // `limit: 0` means no documents, as in the embedded store (MongoDB itself would read it as "no limit").
    if (options.limit === 0) return [];
    const docs = await this.collection(collection).find(asMongoFilter(filter), findOptions(options)).toArray();
    return docs as T[];
  }

  async count(collection: CollectionName, filter: Filter): Promise<number> {
    return this.collection(collection).countDocuments(asMongoFilter(filter));
  }

  async explain(collection: CollectionName, filter: Filter, options: FindOptions = {}): Promise<string> {
    const explanation = await this.collection(collection).find(asMongoFilter(filter), findOptions(options)).explain('queryPlanner');
    const planner = explanation.queryPlanner as Document | undefined;
    const winning = planner?.winningPlan as Document | undefined;
    if (!winning) return 'UNKNOWN';
    const leaves = [...new Set(planLeaves(winning))];
    return leaves.length > 0 ? leaves.join(' + ') : 'UNKNOWN';
  }

  async write(operations: WriteOperation[]): Promise<void> {
    if (operations.length === 0) return;
    const client = this.client;
    if (!client) throw new Error('MongoDB store is not open');
    const session = client.startSession();
    try {
      // Operations run one after the other (a transaction does not support parallel operations), so a later
      // operation sees the earlier ones of the same unit.
      await session.withTransaction(async (s) => {
        for (const op of operations) await this.apply(op, s);
      }, TRANSACTION_OPTIONS);
    } catch (err) {
      if (err instanceof MongoError && err.message.includes(STANDALONE_MESSAGE)) {
        throw new Error(
          `MongoDB transactions need a replica set or mongos (a single-node replica set is enough; ` +
            `e.g. mongodb://localhost:27017/?replicaSet=rs0); the server answered: ${err.message}`,
          { cause: err },
        );
      }
      throw err;
    } finally {
      await session.endSession();
    }
  }

  /**
   * One operation inside the transaction. Only a duplicate key error that is not transient is turned into a
   * port error; every other driver error is rethrown as is so that `withTransaction` can retry transient ones.
   */
  private async apply(op: WriteOperation, session: ClientSession): Promise<void> {
    const collection = this.collection(op.collection);
    const id = op.doc._id;
    if (op.op === 'insert') {
      try {
        await collection.insertOne(op.doc, { session });
      } catch (err) {
        if (isDuplicateKey(err)) throw new DuplicateKeyError(id);
        throw err;
      }
      return;
    }
    if (op.expect === null) {
      // Must not exist yet.
      try {
        await collection.insertOne(op.doc, { session });
      } catch (err) {
        if (isDuplicateKey(err)) throw new PreconditionFailedError(id);
        throw err;
      }
      return;
    }
    if (op.expect === undefined) {
      await collection.replaceOne({ _id: id }, op.doc, { session, upsert: true });
      return;
    }
    // `$and` so that the expect filter can only narrow the match, never override `_id`.
    const filter = { $and: [{ _id: id }, op.expect] } as MongoFilter<StoredDocument>;
    const result = await collection.replaceOne(filter, op.doc, { session });
    if (result.matchedCount === 0) throw new PreconditionFailedError(id);
  }
}

/** Filters are built by our code from data (never raw user JSON) and passed through unchanged. */
function asMongoFilter(filter: Filter): MongoFilter<StoredDocument> {
  return filter as MongoFilter<StoredDocument>;
}

function findOptions(options: FindOptions): MongoFindOptions {
  const out: MongoFindOptions = {};
  if (options.sort && Object.keys(options.sort).length > 0) out.sort = options.sort;
  if (options.skip) out.skip = options.skip;
  if (options.limit !== undefined) out.limit = options.limit;
  return out;
}

/** `resourceType_1_dt.p_1_dt.lo_1`, the name MongoDB itself would derive. */
export function indexName(fields: string[]): string {
  return fields.map((field) => `${field}_1`).join('_');
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoError && err.code === DUPLICATE_KEY && !err.hasErrorLabel(MongoErrorLabel.TransientTransactionError);
}

/**
 * The access stages at the leaves of a winning plan, e.g. `IXSCAN {resourceType: 1, tok: 1}` or `COLLSCAN`.
 * Handles the classic plan shape (`inputStage` / `inputStages`), the slot-based engine's `queryPlan` wrapper,
 * and sharded explains (`shards[].winningPlan`).
 */
export function planLeaves(plan: Document): string[] {
  if (Array.isArray(plan.shards)) {
    return (plan.shards as Document[]).flatMap((shard) => (shard.winningPlan ? planLeaves(shard.winningPlan as Document) : []));
  }
  if (plan.queryPlan && typeof plan.queryPlan === 'object') return planLeaves(plan.queryPlan as Document);
  const children: Document[] = [];
  if (plan.inputStage && typeof plan.inputStage === 'object') children.push(plan.inputStage as Document);
  if (Array.isArray(plan.inputStages)) children.push(...(plan.inputStages as Document[]));
  if (children.length > 0) return children.flatMap(planLeaves);
  const stage = typeof plan.stage === 'string' ? plan.stage : 'UNKNOWN';
  if (stage === 'IDHACK' || stage === 'EXPRESS_IDHACK') return ['IXSCAN {_id: 1}'];
  if (stage.includes('IXSCAN') && plan.keyPattern && typeof plan.keyPattern === 'object') {
    return [`IXSCAN ${formatKeyPattern(plan.keyPattern as Document)}`];
  }
  // MongoDB 8's express path reports the key pattern as text, e.g. `{ _id: 1 }`.
  if (stage.includes('IXSCAN') && typeof plan.keyPattern === 'string') {
    return [`IXSCAN ${plan.keyPattern.replace(/^\{\s*/, '{').replace(/\s*\}$/, '}')}`];
  }
  return [stage];
}

function formatKeyPattern(keyPattern: Document): string {
  return `{${Object.entries(keyPattern)
    .map(([field, direction]) => `${field}: ${String(direction)}`)
    .join(', ')}}`;
}
