import assert from 'node:assert/strict';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { storeWith, type TestStore, errorKindOf } from './testing/compile-test-store.ts';

const resources: Resource[] = [
  { resourceType: 'Patient', id: 'zoe', name: [{ family: 'Zoë', given: ['Anna Maria'] }] },
  { resourceType: 'Patient', id: 'eve', name: [{ family: 'Evans', given: ['Eve'], text: 'Eve Evans' }], address: [{ city: 'Amsterdam' }] },
  { resourceType: 'Patient', id: 'dot', name: [{ family: 'a.c' }] },
  { resourceType: 'Patient', id: 'comma', name: [{ family: 'Smith, Jr' }] },
  { resourceType: 'Patient', id: 'none' },
];

describe('compileParameter: string (https://hl7.org/fhir/R4/search.html#string)', () => {
  let store: TestStore;
  before(async () => {
    store = await storeWith(resources);
  });
  after(() => store.close());

  it('default: starts with, ignoring case and accents: Zoë is found by zoe (trap)', async () => {
    assert.deepEqual(await store.search('Patient', 'family', 'zoe'), ['zoe']);
    assert.deepEqual(await store.search('Patient', 'family', 'ZO'), ['zoe']);
    assert.deepEqual(await store.search('Patient', 'family', 'Zoë'), ['zoe']);
    assert.deepEqual(await store.search('Patient', 'family', 'oe'), []);
  });
  it('name matches any part of a HumanName; address any part of an Address', async () => {
    assert.deepEqual(await store.search('Patient', 'name', 'anna'), ['zoe']);
    assert.deepEqual(await store.search('Patient', 'name', 'eve'), ['eve']);
    assert.deepEqual(await store.search('Patient', 'address', 'amster'), ['eve']);
  });
  it(':contains matches anywhere in the value', async () => {
    assert.deepEqual(await store.search('Patient', 'family:contains', 'van'), ['eve']);
    assert.deepEqual(await store.search('Patient', 'name:contains', 'MARIA'), ['zoe']);
  });
  it(':exact matches the whole value, case and accents included', async () => {
    assert.deepEqual(await store.search('Patient', 'family:exact', 'Zoë'), ['zoe']);
    assert.deepEqual(await store.search('Patient', 'family:exact', 'Zoe'), []);
    assert.deepEqual(await store.search('Patient', 'family:exact', 'Zo'), []);
  });
  it('comma is OR, "\\," a literal comma (#escaping)', async () => {
    assert.deepEqual(await store.search('Patient', 'family', 'zoe,evans'), ['eve', 'zoe']);
    assert.deepEqual(await store.search('Patient', 'family', 'smith\\, j'), ['comma']);
    assert.deepEqual(await store.search('Patient', 'family:exact', 'Smith\\, Jr'), ['comma']);
  });
  it('values are data: regex metacharacters match literally', async () => {
    assert.deepEqual(await store.search('Patient', 'family', 'a.c'), ['dot']);
    assert.deepEqual(await store.search('Patient', 'family', 'a'), ['dot']);
    assert.deepEqual(await store.search('Patient', 'family', '.'), []);
    assert.deepEqual(await store.search('Patient', 'family:contains', '.*'), []);
  });
  it(':missing (#missing)', async () => {
    assert.deepEqual(await store.search('Patient', 'family:missing', 'true'), ['none']);
    assert.deepEqual(await store.search('Patient', 'address:missing', 'false'), ['eve']);
  });
  it('400 for an unsupported modifier or an empty value', async () => {
    for (const [p, v] of [
      ['family:text', 'x'],
      ['family', ''],
    ]) {
      await assert.rejects(store.search('Patient', p, v), (e: unknown) => e instanceof FhirError && e.kind === errorKindOf(p));
    }
  });
});
