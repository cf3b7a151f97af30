import assert from 'node:assert/strict';
import { al1ToAllergyIntolerance } from './al1.ts';
import { segment } from '../testing/hand-built.ts';
import type { MappingError } from '../errors.ts';

describe('AL1 -> AllergyIntolerance (IG segment-al1-to-allergyintolerance)', () => {
  it('category (0127), code, criticality (0128), reactions, a derived identifier from patient and allergen', () => {
    const a = al1ToAllergyIntolerance(
      segment('AL1|1|DA|7980^Penicillin G^RXNORM|SV|Anaphylaxis~Urticaria|20150601'),
      1,
      { reference: 'urn:uuid:p' },
      'sys|1',
    );
    assert.deepEqual(a.category, ['medication']);
    assert.equal(a.criticality, 'high');
    assert.deepEqual(
      a.reaction?.[0].manifestation.map((m) => m.text),
      ['Anaphylaxis', 'Urticaria'],
    );
    assert.equal(a.identifier?.[0].value, 'sys|1|AL1|http://www.nlm.nih.gov/research/umls/rxnorm|7980');
    assert.equal(a.onsetDateTime, '2015-06-01');
  });
  it('AL1-3 missing is 0357 code 101 at AL1-3', () => {
    assert.throws(
      () => al1ToAllergyIntolerance(segment('AL1|1|DA||SV'), 2, { reference: 'urn:uuid:p' }, 'k'),
      (e: MappingError) => e.code === '101' && e.location?.sequence === 2 && e.location.field === 3,
    );
  });
});
