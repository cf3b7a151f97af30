/**
 * Runs the storage contract against a real MongoDB when MONGODB_URI is set, e.g.
 *   MONGODB_URI=mongodb://localhost:27017/?replicaSet=rs0 npm test
 * The server must be a replica set member or mongos: write units are multi-document transactions.
 *
 * Every store of the contract gets a fresh database `fhirline_test_<pid>_<time>_<n>`, dropped after the suite.
 * With MONGODB_DB set, that database is used instead and is DROPPED before every test (and left in place after):
 * point it only at a database the tests may wipe.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describeStoreContract } from '../testing/store-contract.ts';
import { indexName, MongoStore, planLeaves } from './mongo-store.ts';

describe('MongoStore without a server', function () {
  it('derives index names from the fields, as MongoDB does', function () {
    assert.equal(indexName(['resourceType', 'tok']), 'resourceType_1_tok_1');
    assert.equal(indexName(['resourceType', 'dt.p', 'dt.lo']), 'resourceType_1_dt.p_1_dt.lo_1');
  });

  it('summarises the winning plan of classic, slot-based, express and sharded explains', function () {
    const ixscan = { stage: 'IXSCAN', keyPattern: { resourceType: 1, tok: 1 }, indexName: 'resourceType_1_tok_1', isMultiKey: true };
    assert.deepEqual(planLeaves({ stage: 'LIMIT', inputStage: { stage: 'FETCH', inputStage: ixscan } }), [
      'IXSCAN {resourceType: 1, tok: 1}',
    ]);
    assert.deepEqual(planLeaves({ queryPlan: { stage: 'COLLSCAN', direction: 'forward' }, slotBasedPlan: { slots: '' } }), ['COLLSCAN']);
    assert.deepEqual(planLeaves({ stage: 'IDHACK' }), ['IXSCAN {_id: 1}']);
    assert.deepEqual(planLeaves({ isCached: false, stage: 'EXPRESS_IXSCAN', keyPattern: '{ _id: 1 }', indexName: '_id_' }), [
      'IXSCAN {_id: 1}',
    ]);
    assert.deepEqual(
      planLeaves({
        stage: 'FETCH',
        inputStage: {
          stage: 'OR',
          inputStages: [ixscan, { stage: 'IXSCAN', keyPattern: { resourceType: 1, str: 1 } }],
        },
      }),
      ['IXSCAN {resourceType: 1, tok: 1}', 'IXSCAN {resourceType: 1, str: 1}'],
    );
    assert.deepEqual(
      planLeaves({
        stage: 'SINGLE_SHARD',
        shards: [{ shardName: 's0', winningPlan: { stage: 'SHARDING_FILTER', inputStage: { stage: 'COLLSCAN' } } }],
      }),
      ['COLLSCAN'],
    );
  });

  it('is not ready before open() and open() fails when the server cannot be reached', async function () {
    const store = new MongoStore('mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200&connectTimeoutMS=200', 'fhirline_unreachable');
    assert.equal(await store.ping(), false);
    await assert.rejects(store.open());
    assert.equal(await store.ping(), false);
    await assert.rejects(store.write([{ op: 'insert', collection: 'outbox', doc: { _id: 'x' } }]), /not open/);
    await store.close();
  });
});

const uri = process.env.MONGODB_URI;
const fixedDb = process.env.MONGODB_DB;

if (!uri) {
  describe('MongoStore', function () {
    it('MongoDB storage contract: skipped because MONGODB_URI is not set (set it to a replica-set URI to run)', function () {
      this.skip();
    });
  });
} else {
  describe('MongoStore', function () {
    this.timeout(60_000);
    const run = `${process.pid}_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const created: string[] = [];
    let admin: MongoClient;

    before(async function () {
      admin = new MongoClient(uri);
      await admin.connect();
    });

    after(async function () {
      try {
        if (!fixedDb) for (const name of created.splice(0)) await admin.db(name).dropDatabase();
      } finally {
        await admin?.close();
      }
    });

    describeStoreContract('MongoStore', async (collections) => {
      let dbName: string;
      if (fixedDb) {
        dbName = fixedDb;
        await admin.db(dbName).dropDatabase();
      } else {
        dbName = `fhirline_test_${run}_${created.length}`;
        created.push(dbName);
      }
      const store = new MongoStore(uri, dbName);
      for (const collection of collections) store.register(collection);
      await store.open();
      return store;
    });
  });
}
