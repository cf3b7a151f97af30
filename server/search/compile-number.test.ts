import assert from 'node:assert/strict';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { parseNumber } from './compile-number.ts';
import { storeWith, type TestStore, errorKindOf } from './testing/compile-test-store.ts';

const UCUM = 'http://unitsofmeasure.org';
const obs = (id: string, value: number, code = 'mg', system = UCUM): Resource => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text: 'x' },
  valueQuantity: { value, system, code, unit: code },
});
const risk = (id: string, probability: number): Resource =>
  ({
    resourceType: 'RiskAssessment',
    id,
    status: 'final',
    subject: { reference: 'Patient/1' },
    prediction: [{ probabilityDecimal: probability }],
  }) as Resource;

const resources: Resource[] = [
  obs('q100', 100),
  obs('q100.4', 100.4),
  obs('q100.5', 100.5),
  obs('q99', 99),
  obs('g', 100, 'g'),
  obs('other', 100, 'mg', 'http://other'),
  risk('r-half', 0.5),
  risk('r-low', 0.05),
  risk('r-high', 0.95),
];

describe('compileParameter: number and quantity (https://hl7.org/fhir/R4/search.html#number, #quantity)', () => {
  let store: TestStore;
  before(async () => {
    store = await storeWith(resources);
  });
  after(() => store.close());
  const q = (v: string) => store.search('Observation', 'value-quantity', v);

  it('the implicit precision of a search value: 100 means [99.5, 100.5), 100.0 means [99.95, 100.05)', async () => {
    assert.deepEqual(parseNumber('x', '100'), { value: 100, half: 0.5 });
    assert.deepEqual(parseNumber('x', '1e2'), { value: 100, half: 50 });
    assert.deepEqual(await q('100'), ['g', 'other', 'q100', 'q100.4']);
    assert.deepEqual(await q('100.0'), ['g', 'other', 'q100']);
    assert.deepEqual(await q('eq100.5'), ['q100.5']);
  });
  it('ne: outside the precision range', async () => {
    assert.deepEqual(await q('ne100'), ['q100.5', 'q99']);
  });
  it('gt / lt / ge / le compare with the exact value (precision ignored)', async () => {
    assert.deepEqual(await q('gt100'), ['q100.4', 'q100.5']);
    assert.deepEqual(await q('lt100'), ['q99']);
    assert.deepEqual(await q('ge100.4'), ['q100.4', 'q100.5']);
    assert.deepEqual(await q('le99'), ['q99']);
    assert.deepEqual(await q('sa100.4'), ['q100.5']);
    assert.deepEqual(await q('eb100'), ['q99']);
  });
  it('ap: within 10% of the value', async () => {
    assert.deepEqual(await q('ap91'), ['g', 'other', 'q100', 'q99']);
  });
  it('number|system|code matches the unit in that system; number||code the unit in any system', async () => {
    assert.deepEqual(await q(`100|${UCUM}|mg`), ['q100', 'q100.4']);
    assert.deepEqual(await q('100||mg'), ['other', 'q100', 'q100.4']);
    assert.deepEqual(await q(`100|${UCUM}|g`), ['g']);
    assert.deepEqual(await q(`gt99|${UCUM}|mg,lt100||g`), ['q100', 'q100.4', 'q100.5']);
  });
  it('a number parameter (RiskAssessment.probability), with prefixes and commas', async () => {
    assert.deepEqual(await store.search('RiskAssessment', 'probability', '0.5'), ['r-half']);
    assert.deepEqual(await store.search('RiskAssessment', 'probability', 'gt0.5'), ['r-high']);
    assert.deepEqual(await store.search('RiskAssessment', 'probability', 'le0.5'), ['r-half', 'r-low']);
    assert.deepEqual(await store.search('RiskAssessment', 'probability', '0.05,0.95'), ['r-high', 'r-low']);
    assert.deepEqual(await store.search('RiskAssessment', 'probability:missing', 'false'), ['r-half', 'r-high', 'r-low']);
  });
  it('400 for a malformed number or quantity', async () => {
    for (const [type, p, v] of [
      ['Observation', 'value-quantity', 'abc'],
      ['Observation', 'value-quantity', '100|mg'],
      ['Observation', 'value-quantity', `100|${UCUM}|`],
      ['RiskAssessment', 'probability', '0.5|x|y'],
      ['RiskAssessment', 'probability', 'gt'],
      ['RiskAssessment', 'probability:exact', '1'],
    ]) {
      await assert.rejects(store.search(type, p, v), (e: unknown) => e instanceof FhirError && e.kind === errorKindOf(p));
    }
  });
});
