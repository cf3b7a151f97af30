import assert from 'node:assert/strict';
import { nk1ToContact } from './nk1.ts';
import { segment } from '../testing/hand-built.ts';

describe('NK1 -> Patient.contact', () => {
  it('name, relationship (tables 0063 and 0131), address, phone', () => {
    const c = nk1ToContact(
      segment('NK1|1|Durand^Paul|SPO^Spouse^HL70063|1 rue A^^Lyon|^PRN^PH^^^^0612||EP^Emergency contact^HL70131'),
      1,
      'UTC',
    )!;
    assert.equal(c.name?.family, 'Durand');
    assert.deepEqual(
      c.relationship?.map((r) => r.coding?.[0].code),
      ['SPO', 'EP'],
    );
    assert.equal(c.address?.city, 'Lyon');
    assert.equal(c.telecom?.[0].value, '0612');
  });
  it('a contact without name, telecom or address is dropped (pat-1)', () => {
    assert.equal(nk1ToContact(segment('NK1|1||SPO'), 1, 'UTC'), undefined);
  });
});
