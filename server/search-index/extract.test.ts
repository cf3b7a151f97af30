import assert from 'node:assert/strict';
import type { Observation, Patient } from '@medplum/fhirtypes';
import { loadDefinitions } from '../validation/definitions.ts';
import { extractSearchValues } from './extract.ts';

describe('extractSearchValues token format (param|code|system)', () => {
  before(() => loadDefinitions());

  it('stores a token as param|code|system: the system last, empty when the element has none', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      gender: 'female',
      identifier: [{ system: 'http://hospital.example.org/mrn', value: 'a|b' }],
    };
    const tok = extractSearchValues(patient).tok;
    assert.ok(tok.includes('gender|female|'), JSON.stringify(tok));
    assert.ok(tok.includes('identifier|a\\|b|http://hospital.example.org/mrn'), `| in a code is escaped: ${JSON.stringify(tok)}`);
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
    };
    assert.ok(extractSearchValues(observation).tok.includes('code|8480-6|http://loinc.org'));
  });
});
