import assert from 'node:assert/strict';
import { in1ToCoverage } from './in1.ts';
import { segment } from '../testing/hand-built.ts';
import { testContext } from '../testing/context.ts';

describe('IN1 -> Coverage (IG segment-in1-to-coverage)', () => {
  it('payor, group class, period, relationship, policy number as subscriberId', () => {
    const parts = Array.from({ length: 37 }, () => '');
    Object.assign(parts, {
      0: 'IN1',
      1: '1',
      2: 'GOLD',
      3: 'CPAM69^^^PAYERS',
      4: 'CPAM du Rhône',
      8: 'GRP-12',
      12: '20240101',
      13: '20241231',
      17: 'SEL',
      36: 'POL-1',
    });
    const c = in1ToCoverage(segment(parts.join('|')), 1, testContext(), { reference: 'urn:uuid:p' }, 'k')!;
    assert.equal(c.status, 'active');
    assert.equal(c.payor[0].display, 'CPAM du Rhône');
    assert.equal(c.class?.[0].value, 'GRP-12');
    assert.deepEqual(c.period, { start: '2024-01-01', end: '2024-12-31' });
    assert.equal(c.relationship?.coding?.[0].code, 'self');
    assert.equal(c.subscriberId, 'POL-1');
  });
  it('no IN1-3 nor IN1-4: no Coverage (R4 payor is required), not a refused message', () => {
    assert.equal(in1ToCoverage(segment('IN1|1|PAR^PARENT||||LUIGI'), 1, testContext(), { reference: 'urn:uuid:p' }, 'k'), undefined);
  });
});
