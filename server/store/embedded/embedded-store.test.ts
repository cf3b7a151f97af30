import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceDocument } from '../documents.ts';
import { describeStoreContract } from '../testing/store-contract.ts';
import { INDEXES, type IndexSpec } from '../port.ts';
import { EmbeddedStore } from './embedded-store.ts';

/** Every store gets a fresh temporary directory, removed after the suite. */
const directories: string[] = [];

async function freshDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fhirline-embedded-'));
  directories.push(dir);
  return dir;
}

describe('EmbeddedStore', function () {
  after(async function () {
    await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  describeStoreContract('EmbeddedStore', async (collections) => {
    const store = new EmbeddedStore(await freshDirectory());
    for (const collection of collections) store.register(collection);
    await store.open();
    return store;
  });

  it('a new store on the same directory sees the data, and its indexes', async function () {
    const dir = await freshDirectory();
    const doc: ResourceDocument = {
      _id: 'Patient/again',
      resourceType: 'Patient',
      id: 'again',
      versionId: 1,
      lastUpdated: '2024-01-01T00:00:00.000Z',
      deleted: false,
      content: '{"resourceType":"Patient","id":"again","multipleBirthInteger":1.50}',
      tok: ['gender|female'],
      ref: [],
      str: ['family|again'],
      dt: [],
      num: [],
      uri: [],
    };
    const first = new EmbeddedStore(dir);
    await first.open();
    await first.write([{ op: 'insert', collection: 'resources', doc }]);
    await first.close();

    const second = new EmbeddedStore(dir);
    await second.open();
    try {
      assert.deepEqual(await second.findOne('resources', { _id: 'Patient/again' }), doc);
      assert.deepEqual(await second.find('resources', { resourceType: 'Patient', tok: 'gender|female' }), [doc]);
      assert.match(await second.explain('resources', { resourceType: 'Patient', tok: 'gender|female' }), /IXSCAN/);
    } finally {
      await second.close();
    }
  });

  it('an index left out of the declared indexes is deleted, so declaring it again rebuilds it whole', async function () {
    const dir = await freshDirectory();
    const exact: IndexSpec = { collection: 'resources', fields: ['resourceType', 'strx'] };
    const patient = (id: string): ResourceDocument => ({
      _id: `Patient/${id}`,
      resourceType: 'Patient',
      id,
      versionId: 1,
      lastUpdated: '2024-01-01T00:00:00.000Z',
      deleted: false,
      content: `{"resourceType":"Patient","id":"${id}"}`,
      tok: [],
      ref: [],
      str: ['family|ann'],
      strx: ['family|Ann'],
      dt: [],
      num: [],
      uri: [],
    });
    const session = async (indexes: IndexSpec[], work: (store: EmbeddedStore) => Promise<void>) => {
      const store = new EmbeddedStore(dir, indexes);
      await store.open();
      try {
        await work(store);
      } finally {
        await store.close();
      }
    };
    await session([...INDEXES, exact], (store) => store.write([{ op: 'insert', collection: 'resources', doc: patient('before') }]));
    await session(INDEXES, (store) => store.write([{ op: 'insert', collection: 'resources', doc: patient('between') }]));
    await session([...INDEXES, exact], async (store) => {
      const filter = { resourceType: 'Patient', strx: 'family|Ann' };
      assert.match(await store.explain('resources', filter), /IXSCAN resources \{resourceType, strx\} \(2 keys\)/);
      assert.deepEqual(
        (await store.find<ResourceDocument>('resources', filter)).map((d) => d.id),
        ['before', 'between'],
      );
    });
  });

  it("a feature's collection keeps its index when a process opens the store without that feature (a reindex)", async function () {
    const dir = await freshDirectory();
    const queue = { name: 'feature-queue', indexes: [['status']] };
    const open = async (withFeature: boolean) => {
      const store = new EmbeddedStore(dir);
      if (withFeature) store.register(queue);
      await store.open();
      return store;
    };
    const first = await open(true);
    await first.write([{ op: 'insert', collection: 'feature-queue', doc: { _id: 'q1', status: 'waiting' } }]);
    await first.close();
    await (await open(false)).close();
    const again = await open(true);
    assert.match(await again.explain('feature-queue', { status: 'waiting' }), /IXSCAN feature-queue \{status\} \(1 keys\)/);
    await again.close();
  });
});
