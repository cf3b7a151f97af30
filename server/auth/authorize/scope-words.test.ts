import assert from 'node:assert/strict';
import { describeScope } from './scope-words.ts';

describe('auth/authorize/scope-words: the consent page describes scopes in words', () => {
  it('says what a v2 patient scope lets the app do, to the patient and to a practitioner', () => {
    assert.equal(describeScope('patient/Observation.rs', true), 'read and search your Observations');
    assert.equal(describeScope('patient/Observation.rs', false), "read and search the selected patient's Observations");
  });

  it('reads v1 permissions and wildcards', () => {
    assert.equal(describeScope('user/*.read', false), 'read and search data of every kind you are allowed to see');
    assert.equal(describeScope('patient/MedicationRequest.write', true), 'create, update and delete your MedicationRequests');
    assert.equal(describeScope('system/Patient.cruds', false), 'create, read, update, delete and search all Patients on this server');
  });

  it('names a granular filter, and the launch and identity scopes', () => {
    assert.equal(
      describeScope('patient/Observation.rs?category=laboratory', true),
      'read and search your Observations (only those matching category=laboratory)',
    );
    assert.match(describeScope('openid', true), /who you are/);
    assert.match(describeScope('offline_access', true), /offline access/);
  });

  it('quotes a scope it does not know instead of guessing', () => {
    assert.equal(describeScope('patient/Observation.xyz', true), 'use the permission "patient/Observation.xyz"');
    assert.equal(describeScope('weird', true), 'use the permission "weird"');
  });
});
