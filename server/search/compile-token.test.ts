import assert from 'node:assert/strict';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { storeWith, type TestStore } from './testing/compile-test-store.ts';

const LOINC = 'http://loinc.org';
const resources: Resource[] = [
  {
    resourceType: 'Observation',
    id: 'o1',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '1234-5', display: 'Glucose [Mass/volume]' }], text: 'Blood sugar' },
  },
  { resourceType: 'Observation', id: 'o2', status: 'final', code: { coding: [{ code: '1234-5' }] } },
  { resourceType: 'Observation', id: 'o3', status: 'amended', code: { coding: [{ system: 'http://x.org', code: 'a|b' }] } },
  { resourceType: 'Observation', id: 'o4', status: 'final', code: { coding: [{ system: 'http://x.org/a|b', code: 'c' }] } },
  { resourceType: 'Patient', id: 'p1', active: true, gender: 'female', meta: { tag: [{ system: 'http://t', code: 'vip' }] } },
  { resourceType: 'Patient', id: 'p2', active: false, gender: 'male' },
  { resourceType: 'Patient', id: 'p3' },
  {
    resourceType: 'Patient',
    id: 'p4',
    identifier: [
      {
        system: 'http://hospital/mrn',
        value: '446053',
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }], text: 'Medical record number' },
      },
    ],
  },
];

describe('compileParameter: token (https://hl7.org/fhir/R4/search.html#token)', () => {
  let store: TestStore;
  before(async () => {
    store = await storeWith(resources);
  });
  after(() => store.close());

  it('[code]: the code in any system', async () => {
    assert.deepEqual(await store.search('Observation', 'code', '1234-5'), ['o1', 'o2']);
    assert.deepEqual(await store.search('Observation', 'status', 'final'), ['o1', 'o2', 'o4']);
  });
  it('[system]|[code]: the code in that system', async () => {
    assert.deepEqual(await store.search('Observation', 'code', `${LOINC}|1234-5`), ['o1']);
  });
  it('|[code]: the code with no system', async () => {
    assert.deepEqual(await store.search('Observation', 'code', '|1234-5'), ['o2']);
  });
  it('[system]|: any code in that system', async () => {
    assert.deepEqual(await store.search('Observation', 'code', `${LOINC}|`), ['o1']);
    assert.deepEqual(await store.search('Observation', 'code', 'http://x.org|'), ['o3']);
  });
  it('escaping (#escaping): \\| is a literal | in a code or a system', async () => {
    assert.deepEqual(await store.search('Observation', 'code', 'http://x.org|a\\|b'), ['o3']);
    assert.deepEqual(await store.search('Observation', 'code', 'a\\|b'), ['o3']);
    assert.deepEqual(await store.search('Observation', 'code', 'http://x.org/a\\|b|c'), ['o4']);
    assert.deepEqual(await store.search('Observation', 'code', 'http://x.org/a\\|b|'), ['o4']);
  });
  it('comma is OR', async () => {
    assert.deepEqual(await store.search('Observation', 'status', 'amended,final'), ['o1', 'o2', 'o3', 'o4']);
  });
  it('booleans are tokens', async () => {
    assert.deepEqual(await store.search('Patient', 'active', 'true'), ['p1']);
    assert.deepEqual(await store.search('Patient', 'active', 'false'), ['p2']);
  });
  it(':not finds resources with no matching value, including those with no value at all (trap)', async () => {
    assert.deepEqual(await store.search('Patient', 'gender:not', 'male'), ['p1', 'p3', 'p4']);
    assert.deepEqual(await store.search('Patient', 'gender:not', 'male,female'), ['p3', 'p4']);
  });
  it(':text matches CodeableConcept.text and Coding.display, starts-with, case and accent insensitive', async () => {
    assert.deepEqual(await store.search('Observation', 'code:text', 'blood'), ['o1']);
    assert.deepEqual(await store.search('Observation', 'code:text', 'GLUCOSE'), ['o1']);
    assert.deepEqual(await store.search('Observation', 'code:text', 'sugar'), []);
  });
  it(':of-type matches identifiers by type-system|type-code|value', async () => {
    assert.deepEqual(await store.search('Patient', 'identifier:of-type', 'http://terminology.hl7.org/CodeSystem/v2-0203|MR|446053'), [
      'p4',
    ]);
    assert.deepEqual(await store.search('Patient', 'identifier:of-type', 'http://terminology.hl7.org/CodeSystem/v2-0203|MR|1'), []);
    assert.deepEqual(await store.search('Patient', 'identifier', 'http://hospital/mrn|446053'), ['p4']);
  });
  it('_tag (Resource.meta.tag) is a token on every type', async () => {
    assert.deepEqual(await store.search('Patient', '_tag', 'http://t|vip'), ['p1']);
  });
  it(':missing=true / false (#missing)', async () => {
    assert.deepEqual(await store.search('Patient', 'gender:missing', 'true'), ['p3', 'p4']);
    assert.deepEqual(await store.search('Patient', 'gender:missing', 'false'), ['p1', 'p2']);
  });
  it('values are data: regex metacharacters and operator-like text match literally', async () => {
    assert.deepEqual(await store.search('Observation', 'code', '.*'), []);
    assert.deepEqual(await store.search('Observation', 'code', '{"$ne":null}'), []);
  });
  it('400 with the parameter as expression for malformed values and unsupported modifiers', async () => {
    for (const [p, v] of [
      ['code', 'a|b|c'],
      ['code:in', 'http://vs'],
      ['identifier:of-type', 'MR|1'],
      ['gender:missing', 'maybe'],
      ['code', '|'],
    ]) {
      const type = p.startsWith('identifier') || p.startsWith('gender') ? 'Patient' : 'Observation';
      await assert.rejects(store.search(type, p, v), (e: unknown) => {
        assert.ok(e instanceof FhirError);
        assert.equal(e.kind, 'invalid');
        assert.deepEqual(e.outcome.issue?.[0]?.expression, [p.split(':')[0]]);
        return true;
      });
    }
  });
});
