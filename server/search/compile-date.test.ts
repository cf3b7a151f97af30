import assert from 'node:assert/strict';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { dateAlternatives } from './compile-date.ts';
import { storeWith, type TestStore, errorKindOf } from './testing/compile-test-store.ts';

const obs = (id: string, effective: Partial<Resource & Record<string, unknown>>): Resource =>
  ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, ...effective }) as Resource;

const resources: Resource[] = [
  obs('day', { effectiveDateTime: '2020-02-03T10:00:00Z' }),
  obs('period', { effectivePeriod: { start: '2020-01-15', end: '2020-02-15' } }),
  obs('open', { effectivePeriod: { start: '2020-03-01' } }),
  obs('y2019', { effectiveDateTime: '2019-12-31' }),
  obs('tz', { effectiveDateTime: '2020-02-03T23:30:00-05:00' }),
  obs('none', {}),
  { resourceType: 'Patient', id: 'p1', birthDate: '1980-05-06', meta: { lastUpdated: '2024-03-01T10:00:00.000Z' } },
  { resourceType: 'Patient', id: 'p2', birthDate: '1980', meta: { lastUpdated: '2024-06-15T12:00:00.000Z' } },
];

describe('compileParameter: date (https://hl7.org/fhir/R4/search.html#date, #prefix)', () => {
  let store: TestStore;
  before(async () => {
    store = await storeWith(resources);
  });
  after(() => store.close());
  const date = (v: string) => store.search('Observation', 'date', v);

  it('eq: the search range (by precision) fully contains the target: eq on a day finds a dateTime that day (trap)', async () => {
    assert.deepEqual(await date('2020-02-03'), ['day']);
    assert.deepEqual(await date('eq2020-02-03'), ['day']);
    assert.deepEqual(await date('2020-02'), ['day', 'tz']);
    assert.deepEqual(await date('2020'), ['day', 'period', 'tz']);
  });
  it('eq: a target partly outside the search range does not match (a Period, an open Period)', async () => {
    assert.deepEqual(await date('2020-01'), []);
  });
  it('ne: the search range does not fully contain the target', async () => {
    assert.deepEqual(await date('ne2020-02-03'), ['open', 'period', 'tz', 'y2019']);
  });
  it('gt: the range above the search value overlaps the target: a Period that overlaps matches (trap)', async () => {
    assert.deepEqual(await date('gt2020-02-01'), ['day', 'open', 'period', 'tz']);
    assert.deepEqual(await date('gt2020-02-16'), ['open']);
  });
  it('lt: the range below the search value overlaps the target', async () => {
    assert.deepEqual(await date('lt2020-02-01'), ['period', 'y2019']);
  });
  it('ge: gt or the search range contains the target; le: lt or contains', async () => {
    assert.deepEqual(await date('ge2020-02-03'), ['day', 'open', 'period', 'tz']);
    assert.deepEqual(await date('le2020-02-03'), ['day', 'period', 'y2019']);
  });
  it('sa: the target starts after the search range; eb: it ends before', async () => {
    assert.deepEqual(await date('sa2020-02-03'), ['open', 'tz']);
    assert.deepEqual(await date('eb2020-02-03'), ['y2019']);
    assert.deepEqual(await date('eb2020-01-20'), ['y2019']);
  });
  it('time zones: a value with an offset is converted to UTC (stored and searched)', async () => {
    assert.deepEqual(await date('2020-02-04'), ['tz']);
    assert.deepEqual(await date('2020-02-03T12:00:00+02:00'), ['day']);
    assert.deepEqual(await date('2020-02-03T12:00:00 02:00'), ['day']);
  });
  it('comma is OR', async () => {
    assert.deepEqual(await date('2019,2020-02-03'), ['day', 'y2019']);
  });
  it('ap: overlaps the search range widened by 10% of its distance to now', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    const [[startsBefore, endsAfter]] = dateAlternatives('date', 'ap2020-06-15', now);
    // nearly ten years before now: nearly one year on each side
    assert.deepEqual(startsBefore.slice(0, 2), ['lo', '$lte']);
    assert.equal(startsBefore[2].slice(0, 7), '2021-05');
    assert.deepEqual(endsAfter.slice(0, 2), ['hi', '$gte']);
    assert.equal(endsAfter[2].slice(0, 7), '2019-07');
  });
  it('ap finds a value near the search value and not one far from it', async () => {
    assert.deepEqual(await date('ap2019-12-30'), ['day', 'open', 'period', 'tz', 'y2019']);
    assert.deepEqual(await date('ap1990'), []);
  });
  it('a date parameter on a date element (Patient.birthDate)', async () => {
    assert.deepEqual(await store.search('Patient', 'birthdate', '1980-05-06'), ['p1']);
    assert.deepEqual(await store.search('Patient', 'birthdate', '1980'), ['p1', 'p2']);
    assert.deepEqual(await store.search('Patient', 'birthdate', 'gt1980-05'), ['p2']);
  });
  it('_lastUpdated: the same prefixes on the lastUpdated instant', async () => {
    assert.deepEqual(await store.search('Patient', '_lastUpdated', 'gt2024-03-01'), ['p2']);
    assert.deepEqual(await store.search('Patient', '_lastUpdated', 'ge2024-03-01'), ['p1', 'p2']);
    assert.deepEqual(await store.search('Patient', '_lastUpdated', '2024-03'), ['p1']);
    assert.deepEqual(await store.search('Patient', '_lastUpdated', 'ne2024-03'), ['p2']);
    assert.deepEqual(await store.search('Patient', '_lastUpdated', 'lt2024-06-15T12:00:00Z'), ['p1']);
  });
  it(':missing', async () => {
    assert.deepEqual(await date('x').catch(() => 'bad'), 'bad');
    assert.deepEqual(await store.search('Observation', 'date:missing', 'true'), ['none']);
  });
  it('400 for a malformed date, an unknown prefix or a modifier', async () => {
    for (const [p, v] of [
      ['date', 'yesterday'],
      ['date', 'xx2020'],
      ['date', '2020-13-01'],
      ['date:exact', '2020'],
      ['_lastUpdated', 'gt2020-02-30'],
    ]) {
      await assert.rejects(store.search('Observation', p, v), (e: unknown) => {
        assert.ok(e instanceof FhirError && e.kind === errorKindOf(p));
        assert.deepEqual(e.outcome.issue?.[0]?.expression, [p.split(':')[0]]);
        return true;
      });
    }
  });
});
