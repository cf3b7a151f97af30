/**
 * Reindex on a real embedded store: resources written before a SearchParameter existed become findable by it,
 * without a new version, history entry or outbox event, and a write that races the reindex is never lost.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { globalSchema, indexSearchParameter } from '@medplum/core';
import type { Patient, SearchParameter } from '@medplum/fhirtypes';
import { parseFhirJson } from '../fhir-json/fhir-json.ts';
import { typeFilter } from '../search/execute-search.ts';
import { clearExtractorCache } from '../search-index/extract.ts';
import type { ResourceDocument } from '../store/documents.ts';
import { EmbeddedStore } from '../store/embedded/embedded-store.ts';
import type { Store, WriteOperation } from '../store/port.ts';
import { loadDefinitions } from '../validation/definitions.ts';
import { reindex } from './reindex.ts';
import { createResource, deleteResource, updateResource } from './write-path.ts';
import { prepareInThread } from './prepare-version.ts';
import { UNRESTRICTED } from '../access/access.ts';

const BIRTH_PLACE = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';

/** A parameter no resource was indexed with when written; registered only inside these tests. */
const BIRTH_CITY: SearchParameter = {
  resourceType: 'SearchParameter',
  url: 'http://example.org/SearchParameter/patient-birth-city',
  name: 'birth-city',
  status: 'active',
  description: 'City of birth (extension patient-birthPlace)',
  code: 'reindex-test-birth-city',
  base: ['Patient'],
  type: 'string',
  expression: `Patient.extension.where(url='${BIRTH_PLACE}').value.city`,
};

function patient(city: string, family = 'Smith'): Patient {
  return { resourceType: 'Patient', name: [{ family }], extension: [{ url: BIRTH_PLACE, valueAddress: { city } }] };
}

describe('reindex (search values extracted again in place)', () => {
  let dir: string;
  let store: EmbeddedStore;

  async function findIds(code: string, value: string): Promise<string[]> {
    const filter = await typeFilter(
      { store, baseUrl: 'http://example.org/fhir', access: UNRESTRICTED, strict: true, ignored: [] },
      'Patient',
      [{ name: code, value }],
    );
    return (await store.find<ResourceDocument>('resources', filter)).map((d) => d.id).sort();
  }

  async function countAll(collection: 'history' | 'outbox'): Promise<number> {
    return store.count(collection, {});
  }

  before(() => loadDefinitions());

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fhirline-reindex-'));
    store = new EmbeddedStore(dir);
    await store.open();
  });

  afterEach(async () => {
    delete globalSchema.types.Patient.searchParams?.[BIRTH_CITY.code];
    delete globalSchema.types.Patient.searchParamsDetails?.[BIRTH_CITY.code];
    clearExtractorCache();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function addBirthCity(): void {
    indexSearchParameter(BIRTH_CITY);
    clearExtractorCache();
  }

  it('resources written before a SearchParameter existed are found by it after reindex, with no new version (search.html: values are indexed per SearchParameter)', async () => {
    const leeds = await createResource({ store, preparer: prepareInThread, access: UNRESTRICTED }, 'Patient', patient('Leeds') as never);
    const york = await createResource({ store, preparer: prepareInThread, access: UNRESTRICTED }, 'Patient', patient('York') as never);
    const gone = await createResource({ store, preparer: prepareInThread, access: UNRESTRICTED }, 'Patient', patient('Leeds') as never);
    await deleteResource({ store, preparer: prepareInThread, access: UNRESTRICTED }, 'Patient', gone.doc.id);
    await createResource({ store, preparer: prepareInThread, access: UNRESTRICTED }, 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'weight' },
    });
    const [history, outbox] = [await countAll('history'), await countAll('outbox')];

    addBirthCity();
    assert.deepEqual(await findIds(BIRTH_CITY.code, 'leeds'), [], 'not indexed yet');

    const summary = await reindex(store, { pageSize: 2 });
    assert.deepEqual(summary, { examined: 3, updated: 2, retried: 0 }, 'two Patients and the Observation read; the deleted one skipped');
    assert.deepEqual(await findIds(BIRTH_CITY.code, 'leeds'), [leeds.doc.id]);
    assert.deepEqual(await findIds(BIRTH_CITY.code, 'york'), [york.doc.id]);
    assert.deepEqual(await findIds('family', 'smith'), [leeds.doc.id, york.doc.id].sort(), 'the other search values are kept');

    const stored = await store.findOne<ResourceDocument>('resources', { _id: `Patient/${leeds.doc.id}` });
    assert.equal(stored!.versionId, 1);
    assert.equal(stored!.lastUpdated, leeds.doc.lastUpdated);
    assert.equal(stored!.content, leeds.doc.content, 'the resource text, meta included, is untouched');
    assert.equal(await countAll('history'), history, 'no history entry');
    assert.equal(await countAll('outbox'), outbox, 'no outbox event');

    assert.deepEqual(await reindex(store), { examined: 3, updated: 0, retried: 0 }, 'a second run finds nothing to change');
  });

  it('only the given types are read', async () => {
    await createResource({ store, preparer: prepareInThread, access: UNRESTRICTED }, 'Patient', patient('Leeds') as never);
    await createResource({ store, preparer: prepareInThread, access: UNRESTRICTED }, 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'weight' },
    });
    await createResource({ store, preparer: prepareInThread, access: UNRESTRICTED }, 'PlanDefinition', {
      resourceType: 'PlanDefinition',
      status: 'draft',
    });
    addBirthCity();
    assert.deepEqual(await reindex(store, { types: ['Observation'] }), { examined: 1, updated: 0, retried: 0 });
    assert.deepEqual(await findIds(BIRTH_CITY.code, 'leeds'), []);
    assert.deepEqual(await reindex(store, { types: ['Patient', 'Observation'] }), { examined: 2, updated: 1, retried: 0 });
  });

  it('an update that commits while reindex reads is not lost: the reindex loses the race, re-reads and retries', async () => {
    const a = await createResource(
      { store, preparer: prepareInThread, access: UNRESTRICTED },
      'Patient',
      patient('Leeds', 'Adams') as never,
    );
    const b = await createResource(
      { store, preparer: prepareInThread, access: UNRESTRICTED },
      'Patient',
      patient('York', 'Brown') as never,
    );
    addBirthCity();

    // A store whose first reindex unit is preceded by a client's update of Patient b (the write path's own unit).
    let raced = false;
    const racing: Store = Object.create(store, {
      write: {
        value: async (ops: WriteOperation[]) => {
          if (!raced && ops.every((op) => op.op === 'replace' && op.collection === 'resources')) {
            raced = true;
            const body = {
              ...(parseFhirJson(b.doc.content!) as object),
              name: [{ family: 'Brown-Hill' }],
              extension: [{ url: BIRTH_PLACE, valueAddress: { city: 'Hull' } }],
            };
            await updateResource({ store, preparer: prepareInThread, access: UNRESTRICTED }, 'Patient', b.doc.id, body as never);
          }
          return store.write(ops);
        },
      },
    });

    const summary = await reindex(racing, { pageSize: 10 });
    assert.ok(raced);
    assert.equal(summary.retried, 1);
    assert.equal(summary.updated, 1, 'Patient a only: the update already indexed b with every parameter');

    const current = await store.findOne<ResourceDocument>('resources', { _id: `Patient/${b.doc.id}` });
    assert.equal(current!.versionId, 2, "the client's version stands");
    assert.match(current!.content!, /Brown-Hill/);
    assert.deepEqual(await findIds('family', 'brown-hill'), [b.doc.id]);
    assert.deepEqual(await findIds(BIRTH_CITY.code, 'hull'), [b.doc.id]);
    assert.deepEqual(await findIds(BIRTH_CITY.code, 'york'), []);
    assert.deepEqual(await findIds(BIRTH_CITY.code, 'leeds'), [a.doc.id]);
    assert.equal(await store.count('history', { id: b.doc.id }), 2);
  });
});
