import assert from 'node:assert/strict';
import { pidToPatient } from './pid.ts';
import { segment } from '../testing/hand-built.ts';
import { SYSTEMS, testContext } from '../testing/context.ts';
import type { MappingError } from '../errors.ts';

describe('PID -> Patient (IG segment-pid-to-patient)', () => {
  it('identifiers, names, birth date, gender, address, telecoms; the condition is the first identifier with a system, among active patients', () => {
    const parts = Array.from({ length: 31 }, () => '');
    Object.assign(parts, {
      0: 'PID',
      1: '1',
      3: 'X1^^^OTHER~100234^^^STJ^MR',
      5: 'Durand^Sophie',
      7: '19800214',
      8: 'F',
      11: '1 rue A^^Lyon^^69003',
      13: '^PRN^PH^^^^0472000001',
      14: '^WPN^PH^^^^0472000099',
      29: '20240101120000',
      30: 'Y',
    });
    const { patient, query } = pidToPatient(segment(parts.join('|')), undefined, testContext());
    assert.equal(query, `identifier=${encodeURIComponent(`${SYSTEMS.mrn}|100234`)}&active:not=false`);
    assert.equal(patient.identifier?.length, 2);
    assert.equal(patient.birthDate, '1980-02-14');
    assert.equal(patient.gender, 'female');
    assert.deepEqual(
      patient.telecom?.map((t) => t.use),
      ['home', 'work'],
    );
    assert.equal(patient.deceasedDateTime, '2024-01-01T12:00:00+01:00');
  });
  it('PID-3 empty is 0357 code 101, no resolvable assigning authority is code 103 at PID-3.4', () => {
    assert.throws(
      () => pidToPatient(segment('PID|1||'), undefined, testContext()),
      (e: MappingError) => e.code === '101' && e.location?.field === 3,
    );
    assert.throws(
      () => pidToPatient(segment('PID|1||9^^^NOWHERE^MR'), undefined, testContext()),
      (e: MappingError) => e.code === '103' && e.location?.component === 4,
    );
  });
  it('search-special characters of identifiers are escaped in the condition (search.html#escaping)', () => {
    const ctx = testContext();
    const { query } = pidToPatient(segment('PID|1||A,1$2^^^STJ^MR'), undefined, ctx);
    assert.equal(decodeURIComponent(query.split('&')[0]), `identifier=${SYSTEMS.mrn}|A\\,1\\$2`);
  });
});
