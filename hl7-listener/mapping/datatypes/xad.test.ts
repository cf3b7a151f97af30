import assert from 'node:assert/strict';
import { xadToAddress } from './xad.ts';
import { repetition } from '../testing/hand-built.ts';

describe('XAD -> Address (IG datatype-xad-to-address)', () => {
  it('lines, city, state, postal code, country and use from table 0190', () => {
    assert.deepEqual(xadToAddress(repetition('12 rue de la Paix^Bât. B^Paris^IDF^75002^FRA^H^^75')), {
      use: 'home',
      line: ['12 rue de la Paix', 'Bât. B'],
      city: 'Paris',
      district: '75',
      state: 'IDF',
      postalCode: '75002',
      country: 'FRA',
    });
  });
  it('mailing address is type postal; an empty address is nothing', () => {
    assert.equal(xadToAddress(repetition('PO Box 7^^Lyon^^69000^^M'))?.type, 'postal');
    assert.equal(xadToAddress(repetition('^^^^^^H')), undefined);
  });
});
