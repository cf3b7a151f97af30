import assert from 'node:assert/strict';
import { xtnToContactPoint } from './xtn.ts';
import { repetition } from '../testing/hand-built.ts';

describe('XTN -> ContactPoint (IG datatype-xtn-to-contactpoint)', () => {
  it('phone from its parts, use from table 0201', () => {
    assert.deepEqual(xtnToContactPoint(repetition('^PRN^PH^^33^1^45678901^12')), {
      system: 'phone',
      value: '+33 (1) 45678901 ext. 12',
      use: 'home',
    });
  });
  it('email from XTN-4, mobile from CP, the old format XTN-1 as a last resort', () => {
    assert.deepEqual(xtnToContactPoint(repetition('^NET^Internet^marie@example.org')), { system: 'email', value: 'marie@example.org' });
    assert.deepEqual(xtnToContactPoint(repetition('^PRN^CP^^^^0612345678')), { system: 'phone', value: '0612345678', use: 'mobile' });
    assert.deepEqual(xtnToContactPoint(repetition('(555)555-1234')), { system: 'phone', value: '(555)555-1234' });
  });
});
