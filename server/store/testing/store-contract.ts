/**
 * The storage contract: the mocha tests every adapter of the port (./port.ts) must pass, so that code
 * written against the embedded store behaves the same on MongoDB and the other way round.
 *
 * `makeStore` must return an OPENED store on EMPTY storage (a fresh directory, a fresh database), with the given
 * feature collections registered before it opened; every test gets its own, and the contract closes it after the
 * test. Cleaning the storage up afterwards is the caller's job.
 */
import assert from 'node:assert/strict';
import type { HistoryDocument, OutboxDocument, ResourceDocument, SearchValues } from '../documents.ts';
import {
  DuplicateKeyError,
  PreconditionFailedError,
  type CollectionSpec,
  type Filter,
  type FindOptions,
  type Store,
  type StoredDocument,
} from '../port.ts';

type ResourceFields = Partial<SearchValues> & { lastUpdated?: string; [field: string]: unknown };

function resource(resourceType: string, id: string, versionId: number, fields: ResourceFields = {}): ResourceDocument {
  const lastUpdated = fields.lastUpdated ?? `2024-01-01T00:00:0${versionId % 10}.000Z`;
  return {
    tok: [],
    ref: [],
    str: [],
    dt: [],
    num: [],
    uri: [],
    ...fields,
    _id: `${resourceType}/${id}`,
    resourceType,
    id,
    versionId,
    lastUpdated,
    deleted: false,
    content: JSON.stringify({ resourceType, id, meta: { versionId: String(versionId), lastUpdated } }),
  };
}

function history(doc: ResourceDocument, method: HistoryDocument['method']): HistoryDocument {
  return {
    _id: `${doc._id}/_history/${doc.versionId}`,
    resourceType: doc.resourceType,
    id: doc.id,
    versionId: doc.versionId,
    lastUpdated: doc.lastUpdated,
    method,
    content: doc.content,
  };
}

function outbox(doc: ResourceDocument, action: OutboxDocument['action']): OutboxDocument {
  return {
    _id: `${doc.lastUpdated}|${doc._id}/${doc.versionId}`,
    resourceType: doc.resourceType,
    id: doc.id,
    versionId: doc.versionId,
    lastUpdated: doc.lastUpdated,
    action,
  };
}

function idsOf(docs: StoredDocument[]): string[] {
  return docs.map((d) => d._id);
}

function sortedIds(docs: StoredDocument[]): string[] {
  return idsOf(docs).sort();
}

function isPreconditionFailed(documentId: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof PreconditionFailedError, `expected PreconditionFailedError, got ${String(err)}`);
    assert.equal(err.documentId, documentId);
    return true;
  };
}

function isDuplicateKey(documentId: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof DuplicateKeyError, `expected DuplicateKeyError, got ${String(err)}`);
    assert.equal(err.documentId, documentId);
    return true;
  };
}

/** A feature's collection (as the HL7 archive), registered with every store the contract makes. */
const FEATURE: CollectionSpec = { name: 'feature-queue', indexes: [['status', 'at'], ['at']] };

export function describeStoreContract(name: string, makeStore: (collections: CollectionSpec[]) => Promise<Store>): void {
  describe(`${name} storage contract`, function () {
    let store: Store;

    beforeEach(async function () {
      store = await makeStore([FEATURE]);
    });

    afterEach(async function () {
      await store?.close();
    });

    async function insert(...docs: ResourceDocument[]): Promise<void> {
      await store.write(docs.map((doc) => ({ op: 'insert' as const, collection: 'resources' as const, doc })));
    }

    async function findIds(filter: Filter, options?: FindOptions): Promise<string[]> {
      return sortedIds(await store.find('resources', filter, options));
    }

    describe('feature collections', function () {
      it('a registered collection takes units of work with the core ones and is found by its indexed fields in order', async function () {
        const a = resource('Patient', 'a', 1);
        const queued = (id: string, status: string, at: string) => ({ _id: id, status, at });
        await store.write([
          { op: 'insert', collection: 'resources', doc: a },
          { op: 'insert', collection: FEATURE.name, doc: queued('q1', 'waiting', '2024-01-02') },
          { op: 'insert', collection: FEATURE.name, doc: queued('q2', 'waiting', '2024-01-01') },
          { op: 'insert', collection: FEATURE.name, doc: queued('q3', 'done', '2024-01-03') },
        ]);
        const waiting = await store.find(FEATURE.name, { status: 'waiting' }, { sort: { at: 1 } });
        assert.deepEqual(
          waiting.map((d) => d._id),
          ['q2', 'q1'],
        );
        assert.equal(await store.count(FEATURE.name, {}), 3);
        // A one-field index (lmdb-js stores a one-element key as the bare value) by equality and by range.
        assert.deepEqual(
          (await store.find(FEATURE.name, { at: '2024-01-03' })).map((d) => d._id),
          ['q3'],
        );
        assert.deepEqual(
          (await store.find(FEATURE.name, { at: { $gte: '2024-01-02' } }, { sort: { at: 1 } })).map((d) => d._id),
          ['q1', 'q3'],
        );
        await assert.rejects(store.write([{ op: 'insert', collection: FEATURE.name, doc: queued('q1', 'x', 'y') }]), isDuplicateKey('q1'));
      });

      it('registering once the store is open, or a name twice, is refused', async function () {
        assert.throws(() => store.register({ name: 'late', indexes: [] }), /after the store was opened/);
        await store.close();
        assert.throws(() => store.register(FEATURE), /registered twice/);
      });
    });

    describe('basics', function () {
      it('ping() answers true while open and false once closed', async function () {
        assert.equal(await store.ping(), true);
        await store.close();
        assert.equal(await store.ping(), false);
        await store.open();
        assert.equal(await store.ping(), true);
      });

      it('an inserted document is found by _id, by _id $in and by indexed fields, with its content intact', async function () {
        const a = resource('Patient', 'a', 1, { tok: ['gender|female'], str: ['family|smith'] });
        const b = resource('Patient', 'b', 1, { tok: ['gender|male'] });
        await insert(a, b);

        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/a' }), a);
        assert.equal(await store.findOne('resources', { _id: 'Patient/missing' }), undefined);
        assert.deepEqual(await findIds({ _id: { $in: ['Patient/b', 'Patient/a', 'Patient/b', 'Patient/none'] } }), [
          'Patient/a',
          'Patient/b',
        ]);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|female' }), ['Patient/a']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', str: 'family|smith' }), ['Patient/a']);
        assert.deepEqual(await findIds({ _id: 'Patient/a', resourceType: 'Observation' }), []);
        const found = await store.findOne<ResourceDocument>('resources', { resourceType: 'Patient', tok: 'gender|male' });
        assert.equal(found?.versionId, 1);
        assert.equal(found?.content, b.content);
        assert.equal(await store.count('resources', {}), 2);
      });

      it('the three collections are independent', async function () {
        const a = resource('Patient', 'a', 1);
        await store.write([
          { op: 'insert', collection: 'resources', doc: a },
          { op: 'insert', collection: 'history', doc: history(a, 'POST') },
          { op: 'insert', collection: 'outbox', doc: outbox(a, 'create') },
        ]);
        assert.equal(await store.count('resources', {}), 1);
        assert.equal(await store.count('history', { resourceType: 'Patient', id: 'a', versionId: 1 }), 1);
        assert.equal(await store.count('outbox', { action: 'create' }), 1);
        assert.equal(await store.findOne('history', { _id: 'Patient/a' }), undefined);
        assert.equal((await store.findOne<HistoryDocument>('history', { _id: 'Patient/a/_history/1' }))?.method, 'POST');
      });

      it('explain() names an index for an indexed filter and a collection scan otherwise', async function () {
        // Enough documents that the tok index is clearly the best plan (MongoDB's planner races candidate plans).
        const others = Array.from({ length: 20 }, (_, i) =>
          resource('Patient', `m${i}`, 1, { tok: ['gender|male'], lastUpdated: `2024-01-01T00:00:${String(i).padStart(2, '0')}.000Z` }),
        );
        await insert(resource('Patient', 'a', 1, { tok: ['gender|female'] }), ...others);
        const indexed = await store.explain('resources', { resourceType: 'Patient', tok: 'gender|female' });
        assert.match(indexed, /IXSCAN/);
        assert.match(indexed, /tok/);
        assert.match(await store.explain('history', { method: 'PUT' }), /COLLSCAN/);
      });
    });

    describe('write units', function () {
      it('insert of an existing _id fails with DuplicateKeyError and writes nothing else of the unit', async function () {
        const existing = resource('Patient', 'b', 1, { tok: ['gender|male'] });
        await insert(existing);
        const a = resource('Patient', 'a', 1, { tok: ['gender|female'] });
        await assert.rejects(
          store.write([
            { op: 'insert', collection: 'resources', doc: a },
            { op: 'insert', collection: 'outbox', doc: outbox(a, 'create') },
            { op: 'insert', collection: 'resources', doc: resource('Patient', 'b', 7) },
          ]),
          isDuplicateKey('Patient/b'),
        );
        assert.equal(await store.findOne('resources', { _id: 'Patient/a' }), undefined);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|female' }), []);
        assert.equal(await store.count('outbox', {}), 0);
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/b' }), existing);
        assert.equal(await store.count('resources', {}), 1);
      });

      it('two inserts of the same _id in one unit fail with DuplicateKeyError and leave nothing', async function () {
        const c = resource('Patient', 'c', 1);
        await assert.rejects(
          store.write([
            { op: 'insert', collection: 'resources', doc: c },
            { op: 'insert', collection: 'resources', doc: { ...c, versionId: 2 } },
          ]),
          isDuplicateKey('Patient/c'),
        );
        assert.equal(await store.count('resources', {}), 0);
      });

      it('replace with expect {versionId} succeeds while it holds and fails when stale, keeping the current document', async function () {
        const v1 = resource('Patient', 'a', 1, { tok: ['gender|female'] });
        await insert(v1);
        const v2 = resource('Patient', 'a', 2, { tok: ['gender|male'] });
        await store.write([
          { op: 'replace', collection: 'resources', doc: v2, expect: { versionId: 1 } },
          { op: 'insert', collection: 'history', doc: history(v2, 'PUT') },
        ]);
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/a' }), v2);

        const stale = resource('Patient', 'a', 2, { tok: ['gender|other'] });
        await assert.rejects(
          store.write([
            { op: 'insert', collection: 'outbox', doc: outbox(stale, 'update') },
            { op: 'replace', collection: 'resources', doc: stale, expect: { versionId: 1 } },
          ]),
          isPreconditionFailed('Patient/a'),
        );
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/a' }), v2);
        assert.equal(await store.count('outbox', {}), 0);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|other' }), []);
        assert.equal(await store.count('history', {}), 1);
      });

      it('replace with an expect filter on a missing document fails', async function () {
        await assert.rejects(
          store.write([{ op: 'replace', collection: 'resources', doc: resource('Patient', 'ghost', 2), expect: { versionId: 1 } }]),
          isPreconditionFailed('Patient/ghost'),
        );
        assert.equal(await store.count('resources', {}), 0);
      });

      it('an expect filter cannot redirect the write to another document', async function () {
        const a = resource('Patient', 'a', 1);
        const b = resource('Patient', 'b', 1);
        await insert(a, b);
        await assert.rejects(
          store.write([
            { op: 'replace', collection: 'resources', doc: resource('Patient', 'b', 2), expect: { _id: 'Patient/a', versionId: 1 } },
          ]),
          isPreconditionFailed('Patient/b'),
        );
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/a' }), a);
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/b' }), b);
      });

      it('replace with expect null creates a missing document and fails on an existing one', async function () {
        const v1 = resource('Patient', 'n', 1, { tok: ['gender|female'] });
        await store.write([{ op: 'replace', collection: 'resources', doc: v1, expect: null }]);
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/n' }), v1);

        await assert.rejects(
          store.write([
            { op: 'insert', collection: 'history', doc: history(v1, 'PUT') },
            { op: 'replace', collection: 'resources', doc: resource('Patient', 'n', 9), expect: null },
          ]),
          isPreconditionFailed('Patient/n'),
        );
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/n' }), v1);
        assert.equal(await store.count('history', {}), 0);
      });

      it('replace without expect inserts or overwrites (upsert)', async function () {
        const v1 = resource('Patient', 'u', 1, { tok: ['gender|female'] });
        await store.write([{ op: 'replace', collection: 'resources', doc: v1 }]);
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/u' }), v1);
        const v5 = resource('Patient', 'u', 5, { tok: ['gender|male'] });
        await store.write([{ op: 'replace', collection: 'resources', doc: v5 }]);
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/u' }), v5);
        assert.equal(await store.count('resources', {}), 1);
      });

      it('a later operation of a unit sees the earlier ones', async function () {
        const v1 = resource('Patient', 'x', 1, { tok: ['gender|female'] });
        const v2 = resource('Patient', 'x', 2, { tok: ['gender|male'] });
        await store.write([
          { op: 'insert', collection: 'resources', doc: v1 },
          { op: 'replace', collection: 'resources', doc: v2, expect: { versionId: 1 } },
        ]);
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/x' }), v2);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|female' }), []);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|male' }), ['Patient/x']);

        // ...including for a precondition that the earlier operation breaks.
        const y = resource('Patient', 'y', 1);
        await assert.rejects(
          store.write([
            { op: 'insert', collection: 'resources', doc: y },
            { op: 'replace', collection: 'resources', doc: resource('Patient', 'y', 2), expect: null },
          ]),
          isPreconditionFailed('Patient/y'),
        );
        assert.equal(await store.findOne('resources', { _id: 'Patient/y' }), undefined);
      });

      it('of 20 concurrent replaces expecting the same version, exactly one wins', async function () {
        const v1 = resource('Patient', 'race', 1);
        await insert(v1);
        const attempts = Array.from({ length: 20 }, (_, i) => {
          const doc = resource('Patient', 'race', 2, {
            tok: [`writer|${i}`],
            lastUpdated: `2024-05-01T00:00:00.${String(i).padStart(3, '0')}Z`,
          });
          return store.write([
            { op: 'replace', collection: 'resources', doc, expect: { versionId: 1 } },
            { op: 'insert', collection: 'outbox', doc: outbox(doc, 'update') },
          ]);
        });
        const results = await Promise.allSettled(attempts);
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        assert.equal(won.length, 1, `exactly one writer wins, got ${won.length}`);
        for (const r of results) {
          if (r.status === 'rejected') isPreconditionFailed('Patient/race')(r.reason);
        }
        const current = await store.findOne<ResourceDocument>('resources', { _id: 'Patient/race' });
        assert.equal(current?.versionId, 2);
        assert.deepEqual(current?.tok, [`writer|${won[0]}`]);
        assert.equal(await store.count('outbox', {}), 1);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: `writer|${won[0]}` }), ['Patient/race']);
        assert.equal(await store.count('resources', { resourceType: 'Patient', tok: { $regex: '^writer\\|' } }), 1);
      });
    });

    describe('queries', function () {
      const p1 = resource('Patient', 'p1', 1, {
        tok: ['gender|female', 'identifier|http://example.org/mrn|1'],
        str: ['family|smith', 'given|anna'],
        dt: [{ p: 'birthdate', lo: '2001-02-03T00:00:00.000Z', hi: '2001-02-03T23:59:59.999Z' }],
        lastUpdated: '2024-01-01T00:00:00.000Z',
        active: true,
        rank: 2,
      });
      const p2 = resource('Patient', 'p2', 1, {
        tok: ['gender|male'],
        str: ['family|smithers', 'given|bob'],
        dt: [
          { p: 'birthdate', lo: '1990-01-01T00:00:00.000Z', hi: '1990-12-31T23:59:59.999Z' },
          { p: 'death-date', lo: '2005-06-01T00:00:00.000Z', hi: '2005-06-01T23:59:59.999Z' },
        ],
        lastUpdated: '2024-01-20T00:00:00.000Z',
        active: true,
        rank: 1,
      });
      const p3 = resource('Patient', 'p3', 1, {
        tok: ['gender|female'],
        str: ['family|smyth'],
        dt: [{ p: 'birthdate', lo: '2010-01-01T00:00:00.000Z', hi: '2010-01-01T23:59:59.999Z' }],
        lastUpdated: '2024-03-01T00:00:00.000Z',
        rank: 2,
      });
      const p4 = resource('Patient', 'p4', 1, {
        tok: ['gender|other', 'a|x'],
        str: ['family|jones'],
        lastUpdated: '2024-02-01T00:00:00.000Z',
        active: false,
        rank: 1,
      });
      const p5 = resource('Patient', 'p5', 1, {
        tok: ['a|y'],
        str: ['family|smi'],
        dt: [{ p: 'birthdate', lo: '1980-01-01T00:00:00.000Z', hi: '1980-12-31T23:59:59.999Z' }],
        lastUpdated: '2024-02-15T00:00:00.000Z',
        rank: 3,
      });
      const o1 = resource('Observation', 'o1', 1, {
        tok: ['code|http://loinc.org|1234-5', 'code|1234-5', 'a|x'],
        ref: ['subject|Patient/p1'],
        lastUpdated: '2024-02-10T00:00:00.000Z',
      });

      beforeEach(async function () {
        await insert(p1, p2, p3, p4, p5, o1);
      });

      it('multikey equality: a value matches a document whose array contains it', async function () {
        assert.deepEqual(await findIds({ tok: 'a|x' }), ['Observation/o1', 'Patient/p4']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'a|x' }), ['Patient/p4']);
        assert.deepEqual(await findIds({ resourceType: 'Observation', ref: 'subject|Patient/p1' }), ['Observation/o1']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|female' }), ['Patient/p1', 'Patient/p3']);
      });

      it('$in', async function () {
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: { $in: ['gender|male', 'gender|other'] } }), [
          'Patient/p2',
          'Patient/p4',
        ]);
      });

      it('$regex with an anchored prefix, as a string and as a RegExp', async function () {
        const expected = ['Patient/p1', 'Patient/p2', 'Patient/p5'];
        assert.deepEqual(await findIds({ resourceType: 'Patient', str: { $regex: '^family\\|smi' } }), expected);
        assert.deepEqual(await findIds({ resourceType: 'Patient', str: /^family\|smi/ }), expected);
        assert.deepEqual(await findIds({ resourceType: 'Patient', str: { $regex: '^family\\|smith$' } }), ['Patient/p1']);
      });

      it('ranges with $gte / $lt on strings', async function () {
        assert.deepEqual(
          await findIds({ resourceType: 'Patient', lastUpdated: { $gte: '2024-01-20T00:00:00.000Z', $lt: '2024-03-01T00:00:00.000Z' } }),
          ['Patient/p2', 'Patient/p4', 'Patient/p5'],
        );
        assert.deepEqual(await findIds({ lastUpdated: { $gt: '2024-02-10T00:00:00.000Z' } }), ['Patient/p3', 'Patient/p5']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', lastUpdated: { $lte: '2024-01-01T00:00:00.000Z' } }), ['Patient/p1']);
      });

      it('$and, $or, $nin and $exists: false', async function () {
        assert.deepEqual(await findIds({ $and: [{ resourceType: 'Patient' }, { tok: 'gender|female' }, { str: 'family|smyth' }] }), [
          'Patient/p3',
        ]);
        assert.deepEqual(await findIds({ resourceType: 'Patient', $or: [{ tok: 'gender|male' }, { str: 'family|jones' }] }), [
          'Patient/p2',
          'Patient/p4',
        ]);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: { $nin: ['gender|female', 'gender|male'] } }), [
          'Patient/p4',
          'Patient/p5',
        ]);
        assert.deepEqual(await findIds({ resourceType: 'Patient', active: { $exists: false } }), ['Patient/p3', 'Patient/p5']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', active: false }), ['Patient/p4']);
      });

      it('a range on an array field holds when different elements satisfy its bounds', async function () {
        // No single value lies between 'given|a' and 'family|t', but p1 and p2 each have one above and one below.
        assert.deepEqual(await findIds({ resourceType: 'Patient', str: { $gt: 'given|a', $lt: 'family|t' } }), [
          'Patient/p1',
          'Patient/p2',
        ]);
        assert.deepEqual(await findIds({ resourceType: 'Patient', str: { $elemMatch: { $gt: 'given|a', $lt: 'family|t' } } }), []);
        assert.deepEqual(await findIds({ resourceType: 'Patient', 'dt.p': 'birthdate', 'dt.lo': { $gte: '2005', $lt: '1995' } }), [
          'Patient/p2',
        ]);
        // ...and a range on a single-valued field still needs one value inside it.
        assert.deepEqual(
          await findIds({ resourceType: 'Patient', lastUpdated: { $gt: '2024-02-01T00:00:00.000Z', $lt: '2024-02-01T00:00:00.000Z' } }),
          [],
        );
      });

      it('$elemMatch on dt sub-documents matches one element, dotted paths may match across elements', async function () {
        assert.deepEqual(await findIds({ resourceType: 'Patient', dt: { $elemMatch: { p: 'birthdate', lo: { $gte: '2000' } } } }), [
          'Patient/p1',
          'Patient/p3',
        ]);
        assert.deepEqual(await findIds({ resourceType: 'Patient', 'dt.p': 'birthdate', 'dt.lo': { $gte: '2000' } }), [
          'Patient/p1',
          'Patient/p2',
          'Patient/p3',
        ]);
        assert.deepEqual(await findIds({ resourceType: 'Patient', 'dt.p': 'death-date' }), ['Patient/p2']);
      });

      it('sort on several keys, ascending and descending, with skip and limit', async function () {
        const patients = { resourceType: 'Patient' };
        assert.deepEqual(idsOf(await store.find('resources', patients, { sort: { rank: -1, lastUpdated: 1 } })), [
          'Patient/p5',
          'Patient/p1',
          'Patient/p3',
          'Patient/p2',
          'Patient/p4',
        ]);
        assert.deepEqual(idsOf(await store.find('resources', patients, { sort: { rank: -1, lastUpdated: 1 }, skip: 1, limit: 3 })), [
          'Patient/p1',
          'Patient/p3',
          'Patient/p2',
        ]);
        assert.deepEqual(idsOf(await store.find('resources', patients, { sort: { rank: 1, _id: -1 } })), [
          'Patient/p4',
          'Patient/p2',
          'Patient/p3',
          'Patient/p1',
          'Patient/p5',
        ]);
        assert.deepEqual(idsOf(await store.find('resources', {}, { sort: { lastUpdated: -1 }, limit: 2 })), ['Patient/p3', 'Patient/p5']);
        assert.deepEqual(idsOf(await store.find('resources', patients, { sort: { lastUpdated: 1 }, skip: 4 })), ['Patient/p3']);
        assert.deepEqual(idsOf(await store.find('resources', patients, { sort: { lastUpdated: 1 }, skip: 10 })), []);
        assert.deepEqual(
          idsOf(await store.find('resources', patients, { sort: { lastUpdated: 1 }, limit: 0 })),
          [],
          'limit 0 means no documents',
        );
      });

      it('keyset paging on _id: $gt the last _id seen, sorted by _id, limit (how reindex walks the store)', async function () {
        const page = async (after: string, extra: Filter = {}) =>
          idsOf(await store.find('resources', { ...extra, _id: { $gt: after } }, { sort: { _id: 1 }, limit: 2 }));
        assert.deepEqual(await page(''), ['Observation/o1', 'Patient/p1']);
        assert.deepEqual(await page('Patient/p1'), ['Patient/p2', 'Patient/p3']);
        assert.deepEqual(await page('Patient/p3'), ['Patient/p4', 'Patient/p5']);
        assert.deepEqual(await page('Patient/p5'), []);
        assert.deepEqual(await page('Patient/', { active: true }), ['Patient/p1', 'Patient/p2'], 'other conditions still hold');
        const observations = await store.find('resources', { _id: { $gt: 'Observation/', $lt: 'Observation0' } }, { sort: { _id: 1 } });
        assert.deepEqual(idsOf(observations), ['Observation/o1'], 'an _id range bounds one resource type');
      });

      it('count', async function () {
        assert.equal(await store.count('resources', {}), 6);
        assert.equal(await store.count('resources', { resourceType: 'Patient' }), 5);
        assert.equal(await store.count('resources', { resourceType: 'Patient', tok: 'gender|female' }), 2);
        assert.equal(await store.count('resources', { resourceType: 'Patient', str: { $regex: '^family\\|smi' } }), 3);
        assert.equal(await store.count('resources', { resourceType: 'Encounter' }), 0);
      });

      it('index maintenance: a replaced document is no longer found by its old values', async function () {
        const v2 = resource('Patient', 'p1', 2, {
          tok: ['gender|male'],
          str: ['family|brown'],
          dt: [{ p: 'birthdate', lo: '1970-01-01T00:00:00.000Z', hi: '1970-01-01T23:59:59.999Z' }],
          lastUpdated: '2024-06-01T00:00:00.000Z',
        });
        await store.write([{ op: 'replace', collection: 'resources', doc: v2, expect: { versionId: 1 } }]);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|female' }), ['Patient/p3']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'identifier|http://example.org/mrn|1' }), []);
        assert.deepEqual(await findIds({ resourceType: 'Patient', str: { $regex: '^family\\|smi' } }), ['Patient/p2', 'Patient/p5']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', dt: { $elemMatch: { p: 'birthdate', lo: { $gte: '2000' } } } }), [
          'Patient/p3',
        ]);
        assert.deepEqual(await findIds({ resourceType: 'Patient', 'dt.p': 'birthdate', 'dt.lo': { $lt: '1975' } }), ['Patient/p1']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', lastUpdated: { $lt: '2024-01-10' } }), []);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|male' }), ['Patient/p1', 'Patient/p2']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', str: 'family|brown' }), ['Patient/p1']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', lastUpdated: { $gte: '2024-06-01' } }), ['Patient/p1']);
        assert.equal(await store.count('resources', { resourceType: 'Patient', tok: 'gender|male' }), 2);
      });
    });

    describe('values', function () {
      it('strings that look like MongoDB operators are stored and matched as plain data', async function () {
        const odd = resource('Basic', 'odd', 1, {
          tok: ['$gt', '{"$ne":1}', 'code|$where'],
          str: ['$regex', 'name|{"$gt":""}'],
          note: { text: '$exists' },
        });
        const plain = resource('Basic', 'plain', 1, { tok: ['code|1'], str: ['name|x'], note: { text: 'hello' } });
        await insert(odd, plain);

        assert.deepEqual(await store.findOne('resources', { _id: 'Basic/odd' }), odd);
        assert.deepEqual(await findIds({ tok: '$gt' }), ['Basic/odd']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', tok: '{"$ne":1}' }), ['Basic/odd']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', tok: { $in: ['$gt', 'nothing'] } }), ['Basic/odd']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', tok: { $eq: 'code|$where' } }), ['Basic/odd']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: '$regex' }), ['Basic/odd']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: 'name|{"$gt":""}' }), ['Basic/odd']);
        assert.deepEqual(await findIds({ 'note.text': '$exists' }), ['Basic/odd']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', tok: '{"$ne":2}' }), []);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: { $regex: '^name\\|\\{"\\$gt"' } }), ['Basic/odd']);
      });

      it('long strings (> 1,000 characters) in an indexed array field are stored and found exactly', async function () {
        const stem = `str|${'a'.repeat(1500)}`;
        const cjk = `str|${'患者記録'.repeat(400)}`;
        const l1 = resource('Basic', 'l1', 1, { str: ['name|x', `${stem}END1`], tok: [`${'t'.repeat(2000)}|1`] });
        const l2 = resource('Basic', 'l2', 1, { str: [`${stem}END2`, `${cjk}1`] });
        const l3 = resource('Basic', 'l3', 1, { str: [`${cjk}2`] });
        await insert(l1, l2, l3);

        assert.deepEqual(await store.findOne('resources', { _id: 'Basic/l1' }), l1);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: `${stem}END1` }), ['Basic/l1']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: `${stem}END2` }), ['Basic/l2']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: stem }), []);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: { $in: [`${stem}END2`, `${cjk}2`] } }), ['Basic/l2', 'Basic/l3']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: `${cjk}1` }), ['Basic/l2']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', tok: `${'t'.repeat(2000)}|1` }), ['Basic/l1']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: { $regex: `^str\\|${'a'.repeat(1200)}` } }), ['Basic/l1', 'Basic/l2']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: { $gt: `${stem}END1` } }), ['Basic/l2', 'Basic/l3']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: { $gte: `${stem}END1`, $lt: `${stem}END2` } }), ['Basic/l1']);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: { $gt: stem, $lte: `${stem}END2` } }), ['Basic/l1', 'Basic/l2']);
        for (const n of [200, 399, 400, 401, 1000]) {
          // Bounds that are a prefix of the long values, of several lengths.
          const bound = stem.slice(0, n);
          assert.deepEqual(
            await findIds({ resourceType: 'Basic', str: { $gt: bound, $lt: `${stem}F` } }),
            ['Basic/l1', 'Basic/l2'],
            `$gt prefix of ${n}`,
          );
          assert.deepEqual(
            await findIds({ resourceType: 'Basic', str: { $gte: bound, $lte: `${stem}END1` } }),
            ['Basic/l1'],
            `$gte prefix of ${n}`,
          );
          // l1 only: its 'name|x' is below the bound and its long value above 'str|' (different elements may satisfy the bounds).
          assert.deepEqual(await findIds({ resourceType: 'Basic', str: { $gt: 'str|', $lt: bound } }), ['Basic/l1'], `$lt prefix of ${n}`);
          assert.deepEqual(
            await findIds({ resourceType: 'Basic', str: { $gte: 'str|a', $lte: bound } }),
            ['Basic/l1'],
            `$lte prefix of ${n}`,
          );
          assert.deepEqual(
            await findIds({ resourceType: 'Basic', str: { $elemMatch: { $gt: 'str|', $lt: bound } } }),
            [],
            `$elemMatch below prefix of ${n}`,
          );
        }

        // Replacing a document with long values maintains its index entries too.
        await store.write([
          { op: 'replace', collection: 'resources', doc: resource('Basic', 'l2', 2, { str: ['name|y'] }), expect: { versionId: 1 } },
        ]);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: `${stem}END2` }), []);
        assert.deepEqual(await findIds({ resourceType: 'Basic', str: { $regex: `^str\\|${'a'.repeat(1200)}` } }), ['Basic/l1']);
      });

      it('data survives close() and open()', async function () {
        const a = resource('Patient', 'durable', 1, { tok: ['gender|female'], str: ['family|keep'] });
        await store.write([
          { op: 'insert', collection: 'resources', doc: a },
          { op: 'insert', collection: 'history', doc: history(a, 'POST') },
          { op: 'insert', collection: 'outbox', doc: outbox(a, 'create') },
        ]);
        await store.close();
        await store.open();
        assert.deepEqual(await store.findOne('resources', { _id: 'Patient/durable' }), a);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|female' }), ['Patient/durable']);
        assert.deepEqual(await findIds({ resourceType: 'Patient', str: { $regex: '^family\\|ke' } }), ['Patient/durable']);
        assert.equal(await store.count('history', { resourceType: 'Patient', id: 'durable' }), 1);
        assert.equal(await store.count('outbox', {}), 1);

        // And it is still writable, with its preconditions, after re-opening.
        const v2 = resource('Patient', 'durable', 2, { tok: ['gender|male'] });
        await store.write([{ op: 'replace', collection: 'resources', doc: v2, expect: { versionId: 1 } }]);
        await assert.rejects(
          store.write([{ op: 'replace', collection: 'resources', doc: v2, expect: { versionId: 1 } }]),
          isPreconditionFailed('Patient/durable'),
        );
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|female' }), []);
        assert.deepEqual(await findIds({ resourceType: 'Patient', tok: 'gender|male' }), ['Patient/durable']);
      });
    });
  });
}
