import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceDocument } from '../documents.ts';
import { describeStoreContract } from '../testing/store-contract.ts';
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
});
