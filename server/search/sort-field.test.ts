import assert from 'node:assert/strict';
import { sortField } from './sort-field.ts';

describe('sortField (https://hl7.org/fhir/R4/search.html#sort)', () => {
  it('_id and _lastUpdated sort on the document fields; other parameters on their extracted sort keys', () => {
    assert.equal(sortField('_id', false), 'id');
    assert.equal(sortField('_lastUpdated', true), 'lastUpdated');
    assert.equal(sortField('birthdate', false), 'sk.birthdate');
    assert.equal(sortField('birthdate', true), 'skd.birthdate');
  });
});
