import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Observation, Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { storeWith, type TestStore, errorKindOf } from './testing/compile-test-store.ts';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const examplesDir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
const example = (file: string) => JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as Resource;

const bp = (id: string, systolic: number, diastolic: number): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code: '85354-9' }] },
  component: [
    { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: systolic, system: UCUM, code: 'mm[Hg]' } },
    { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: diastolic, system: UCUM, code: 'mm[Hg]' } },
  ],
});

const resources: Resource[] = [
  {
    resourceType: 'Observation',
    id: 'hb',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '718-7' }] },
    valueQuantity: { value: 7.2, system: UCUM, code: 'g/dL' },
  },
  {
    resourceType: 'Observation',
    id: 'gl',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '2339-0' }] },
    valueQuantity: { value: 150, system: UCUM, code: 'mg/dL' },
  },
  // Systolic 120 and diastolic 150 on one Observation: only a match across two components.
  bp('bp-high', 150, 95),
  bp('bp-cross', 120, 150),
  {
    resourceType: 'Observation',
    id: 'abo',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '883-9' }] },
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '112144000' }] },
  },
  {
    resourceType: 'Observation',
    id: 'dt',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '21112-8' }] },
    valueDateTime: '2020-05-17T10:30:00Z',
  },
  {
    resourceType: 'Observation',
    id: 'str',
    status: 'final',
    code: { coding: [{ system: 'http://x.org', code: 'a$b' }] },
    valueString: 'Dollar $ sign, comma',
  },
  example('Observation-blood-pressure.json'),
];

describe('compileParameter: composite (https://hl7.org/fhir/R4/search.html#composite)', () => {
  let store: TestStore;
  before(async () => {
    store = await storeWith(resources);
  });
  after(() => store.close());

  it('code-value-quantity: token $ quantity with a prefix on the same Observation', async () => {
    assert.deepEqual(await store.search('Observation', 'code-value-quantity', `${LOINC}|718-7$lt8`), ['hb']);
    assert.deepEqual(await store.search('Observation', 'code-value-quantity', `${LOINC}|718-7$gt8`), []);
    assert.deepEqual(await store.search('Observation', 'code-value-quantity', `2339-0$gt140|${UCUM}|mg/dL`), ['gl']);
    assert.deepEqual(await store.search('Observation', 'code-value-quantity', `2339-0$gt140|${UCUM}|g/dL`), []);
  });

  it('component-code-value-quantity: both values must match within the same component', async () => {
    assert.deepEqual(await store.search('Observation', 'component-code-value-quantity', `${LOINC}|8480-6$gt140`), ['bp-high']);
    // bp-cross has systolic 120 and a diastolic 150: no single component is 8480-6 with a value above 140.
    assert.deepEqual(await store.search('Observation', 'component-code-value-quantity', `${LOINC}|8462-4$gt140`), ['bp-cross']);
    assert.deepEqual(await store.search('Observation', 'component-code-value-quantity', `${LOINC}|8480-6$107`), ['blood-pressure']);
  });

  it('a comma ORs whole composite values', async () => {
    assert.deepEqual(await store.search('Observation', 'code-value-quantity', `718-7$lt8,2339-0$gt140`), ['gl', 'hb']);
    assert.deepEqual(await store.search('Observation', 'component-code-value-quantity', `8480-6$gt140,8462-4$gt140`), [
      'bp-cross',
      'bp-high',
    ]);
  });

  it('combo-code-value-quantity: the Observation itself or any of its components', async () => {
    assert.deepEqual(await store.search('Observation', 'combo-code-value-quantity', `718-7$7.2`), ['hb']);
    assert.deepEqual(await store.search('Observation', 'combo-code-value-quantity', `8480-6$ge150`), ['bp-high']);
  });

  it('code-value-concept, code-value-date, code-value-string: each component compiled by its own type', async () => {
    assert.deepEqual(await store.search('Observation', 'code-value-concept', `${LOINC}|883-9$http://snomed.info/sct|112144000`), ['abo']);
    assert.deepEqual(await store.search('Observation', 'code-value-concept', `883-9$other`), []);
    assert.deepEqual(await store.search('Observation', 'code-value-date', `21112-8$2020-05-17`), ['dt']);
    assert.deepEqual(await store.search('Observation', 'code-value-date', `21112-8$gt2020-05-17`), []);
    // A Quantity value is not a CodeableConcept: nothing for code-value-concept on a quantity Observation.
    assert.deepEqual(await store.search('Observation', 'code-value-concept', `718-7$g/dL`), []);
  });

  it('\\$ and \\, stand for a literal $ and comma inside a component (search.html#escaping)', async () => {
    assert.deepEqual(await store.search('Observation', 'code-value-string', 'a\\$b$dollar \\$ sign\\, comma'), ['str']);
    assert.deepEqual(await store.search('Observation', 'code-value-string', 'a\\$b$dollar'), ['str']);
  });

  it('uses the (resourceType, cmp.tok) index when the value is a single one', async () => {
    assert.match(await store.explain('Observation', 'component-code-value-quantity', `${LOINC}|8480-6$gt140`), /cmp\.tok/);
  });

  it('a value with the wrong number of components, a modifier or an empty component is 400', async () => {
    for (const [param, value] of [
      ['code-value-quantity', '718-7'],
      ['code-value-quantity', '718-7$1$2'],
      ['code-value-quantity', '718-7$'],
      ['code-value-quantity:exact', '718-7$1'],
      ['code-value-quantity', '718-7$abc'],
      ['code-value-string', 'a$b$dollar'],
    ]) {
      await assert.rejects(
        store.search('Observation', param, value),
        (err: FhirError) => err.kind === errorKindOf(param),
        `${param}=${value}`,
      );
    }
  });
});
