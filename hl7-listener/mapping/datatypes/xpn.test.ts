import assert from 'node:assert/strict';
import { xpnToHumanName } from './xpn.ts';
import { repetition } from '../testing/hand-built.ts';

const at = { segment: 'PID', sequence: 1, field: 5 };

describe('XPN -> HumanName (IG datatype-xpn-to-humanname)', () => {
  it('family, given and middle names in order, prefix, suffix and degree, use from table 0200', () => {
    assert.deepEqual(xpnToHumanName(repetition('Dupont&Dupont^Marie^Anne Claire^Jr^Dr^MD^L'), 'UTC', at), {
      use: 'official',
      family: 'Dupont',
      given: ['Marie', 'Anne', 'Claire'],
      prefix: ['Dr'],
      suffix: ['Jr', 'MD'],
    });
  });
  it('maiden name (M), and nothing for an empty name', () => {
    assert.equal(xpnToHumanName(repetition('Martin^^^^^^M'), 'UTC', at)?.use, 'maiden');
    assert.equal(xpnToHumanName(repetition('^^^^^^L'), 'UTC', at), undefined);
  });
});
