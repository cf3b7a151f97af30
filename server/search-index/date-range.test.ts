import assert from 'node:assert/strict';
import { dateRange } from './date-range.ts';

describe('dateRange: a date value is an implicit range by precision (https://hl7.org/fhir/R4/search.html#date)', () => {
  it('year, month and day cover their whole period', () => {
    assert.deepEqual(dateRange('2020'), { lo: '2020-01-01T00:00:00.000Z', hi: '2020-12-31T23:59:59.999Z' });
    assert.deepEqual(dateRange('2020-02'), { lo: '2020-02-01T00:00:00.000Z', hi: '2020-02-29T23:59:59.999Z' });
    assert.deepEqual(dateRange('2020-02-03'), { lo: '2020-02-03T00:00:00.000Z', hi: '2020-02-03T23:59:59.999Z' });
  });
  it('time zones shift to UTC; seconds and milliseconds narrow the range', () => {
    assert.deepEqual(dateRange('2020-02-03T10:00:00+02:00'), { lo: '2020-02-03T08:00:00.000Z', hi: '2020-02-03T08:00:00.999Z' });
    assert.deepEqual(dateRange('2020-02-03T10:00:00.5Z'), { lo: '2020-02-03T10:00:00.500Z', hi: '2020-02-03T10:00:00.599Z' });
    assert.deepEqual(dateRange('2020-02-03T10:00:00.123Z'), { lo: '2020-02-03T10:00:00.123Z', hi: '2020-02-03T10:00:00.123Z' });
  });
  it('rejects what is not a date', () => {
    assert.equal(dateRange('yesterday'), undefined);
    assert.equal(dateRange('2020-13'), undefined);
    assert.equal(dateRange('2021-02-29'), undefined);
    assert.equal(dateRange('2020-04-31'), undefined);
    assert.equal(dateRange('2020-01-01T24:00'), undefined);
    assert.deepEqual(dateRange('2020-02-29')?.lo, '2020-02-29T00:00:00.000Z');
  });
});
