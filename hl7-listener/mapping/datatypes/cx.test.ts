import assert from 'node:assert/strict';
import { cxToIdentifier } from './cx.ts';
import { eiToIdentifier } from './ei.ts';
import { systemFor } from './hd.ts';
import { repetition } from '../testing/hand-built.ts';
import { SYSTEMS, testContext } from '../testing/context.ts';

const { profile } = testContext();
const at = { segment: 'PID', sequence: 1, field: 3 };

describe('CX -> Identifier (IG datatype-cx-to-identifier)', () => {
  it('takes the system from the sender table by assigning authority, the type from table 0203', () => {
    assert.deepEqual(cxToIdentifier(repetition('12345^^^STJ^MR'), profile, at), {
      value: '12345',
      system: SYSTEMS.mrn,
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
    });
  });
  it('falls back to the ISO universal id as urn:oid, else keeps the authority as assigner', () => {
    assert.equal(cxToIdentifier(repetition('9^^^NAT&1.2.250.1.213.1.4.8&ISO^NH'), profile, at)?.system, 'urn:oid:1.2.250.1.213.1.4.8');
    const unknown = cxToIdentifier(repetition('9^^^ELSEWHERE^MR'), profile, at);
    assert.equal(unknown?.system, undefined);
    assert.deepEqual(unknown?.assigner, { display: 'ELSEWHERE' });
  });
  it('maps CX-7/CX-8 to period, and an empty CX-1 to nothing', () => {
    assert.deepEqual(cxToIdentifier(repetition('1^^^STJ^MR^^20200101^20301231'), profile, at)?.period, {
      start: '2020-01-01',
      end: '2030-12-31',
    });
    assert.equal(cxToIdentifier(repetition('^^^STJ^MR'), profile, at), undefined);
  });
});

describe('EI -> Identifier and HD -> system', () => {
  it('EI-2 namespace through the table, PLAC/FILL type', () => {
    assert.deepEqual(eiToIdentifier(repetition('ORD-77^STJORD'), profile, 'PLAC'), {
      value: 'ORD-77',
      system: SYSTEMS.placer,
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PLAC' }] },
    });
  });
  it('rejects a universal id that is not what its type claims', () => {
    assert.equal(systemFor({ universalId: 'not-an-oid', universalIdType: 'ISO' }, profile), undefined);
    assert.equal(systemFor({ universalId: 'https://id.example.org/mrn', universalIdType: 'URI' }, profile), 'https://id.example.org/mrn');
  });
});
