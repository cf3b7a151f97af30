import assert from 'node:assert/strict';
import { grantScopes } from './grant-scopes.ts';

const LAB = 'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory';

describe('grantScopes (server/access/grant-scopes.ts)', () => {
  it('an allowed wildcard covers a requested type: system/*.* covers system/Patient.rs', () => {
    assert.equal(grantScopes('system/Patient.rs', 'system/*.*'), 'system/Patient.rs');
  });

  it('narrows the interactions: user/Observation.cruds under user/*.rs is user/Observation.rs', () => {
    assert.equal(grantScopes('user/Observation.cruds', 'user/*.rs'), 'user/Observation.rs');
  });

  it('a requested wildcard under specific allowed types gets each of them', () => {
    assert.equal(grantScopes('user/*.rs', 'user/Patient.read user/Observation.cruds'), 'user/Patient.rs user/Observation.rs');
  });

  it('a granular request under an ungranular allowed scope stays granular', () => {
    assert.equal(grantScopes(`patient/Observation.rs?${LAB}`, 'patient/*.rs'), `patient/Observation.rs?${LAB}`);
  });

  it('a granular allowed scope covers an ungranular request only as the granular one', () => {
    assert.equal(grantScopes('patient/Observation.rs', `patient/Observation.rs?${LAB}`), `patient/Observation.rs?${LAB}`);
    assert.equal(grantScopes('patient/Observation.cruds', `patient/Observation.rs?${LAB}`), `patient/Observation.rs?${LAB}`);
  });

  it('two granular scopes AND their queries', () => {
    assert.equal(
      grantScopes('patient/Observation.rs?code=1234-5', `patient/Observation.rs?${LAB}`),
      `patient/Observation.rs?code=1234-5&${LAB}`,
    );
  });

  it('contexts never cross: user/ does not cover patient/ or system/', () => {
    assert.equal(grantScopes('patient/Observation.rs system/Patient.rs', 'user/*.*'), '');
  });

  it('keeps a v1 spelling when granted whole, else writes v2', () => {
    assert.equal(grantScopes('patient/Observation.read user/*.*', 'patient/*.* user/*.*'), 'patient/Observation.read user/*.*');
    assert.equal(grantScopes('user/*.*', 'user/*.read'), 'user/*.rs');
    assert.equal(grantScopes('user/Task.write', 'user/Task.u'), 'user/Task.u');
  });

  it('merges the parts several allowed scopes give one request', () => {
    assert.equal(grantScopes('user/Observation.cruds', 'user/Observation.rs user/*.cud'), 'user/Observation.cruds');
  });

  it('non-resource scopes pass when the allowed ones list them', () => {
    assert.equal(
      grantScopes('openid fhirUser launch/patient offline_access', 'openid fhirUser launch/patient'),
      'openid fhirUser launch/patient',
    );
  });

  it('drops malformed and unknown scopes on either side, and repeats', () => {
    assert.equal(
      grantScopes('patient/Observation.sr patient/Patient.rs patient/Patient.rs', 'patient/*.rs patient/*.rs?code=x'),
      'patient/Patient.rs',
    );
    assert.equal(grantScopes('patient/Patient.rs', 'patient/*.sr'), '');
  });
});
