import assert from 'node:assert/strict';
import { EVENT_TIME_URL, pv1ToEncounter } from './pv1.ts';
import { segment } from '../testing/hand-built.ts';
import { SYSTEMS, testContext } from '../testing/context.ts';

const pv1 = (fields: Record<number, string>) => {
  const parts = Array.from({ length: 46 }, (_, i) => fields[i] ?? '');
  parts[0] = 'PV1';
  return segment(parts.join('|'));
};

describe('PV1/PV2 -> Encounter (IG segment-pv1-to-encounter)', () => {
  it('identifier PV1-19, class from table 0004, participants, period, location, reason, event time', () => {
    const mapped = pv1ToEncounter(
      pv1({
        2: 'E',
        3: 'URG^12^^STJOHN',
        7: '1^House^Greg^^^Dr^^^STJDOC',
        19: 'V1^^^STJVISIT^VN',
        44: '20240301080000',
        45: '20240302090000',
      }),
      segment('PV2|||R07.4^Chest pain^I10'),
      testContext(),
      'finished',
      { reference: 'urn:uuid:p' },
      '2024-03-02T09:00:00+01:00',
    )!;
    const e = mapped.encounter;
    assert.equal(mapped.query, `identifier=${encodeURIComponent(`${SYSTEMS.visit}|V1`)}`);
    assert.equal(e.class.code, 'EMER');
    assert.equal(e.participant?.[0].type?.[0].coding?.[0].code, 'ATND');
    assert.deepEqual(e.period, { start: '2024-03-01T08:00:00+01:00', end: '2024-03-02T09:00:00+01:00' });
    assert.equal(e.location?.[0].location.display, 'STJOHN URG 12');
    assert.equal(e.reasonCode?.[0].coding?.[0].code, 'R07.4');
    assert.equal(e.extension?.[0].url, EVENT_TIME_URL);
  });
  it('no PV1-19: no Encounter (it could never be found again)', () => {
    assert.equal(
      pv1ToEncounter(pv1({ 2: 'I' }), undefined, testContext(), 'in-progress', { reference: 'urn:uuid:p' }, undefined),
      undefined,
    );
  });
});
