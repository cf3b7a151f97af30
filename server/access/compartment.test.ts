import assert from 'node:assert/strict';
import { inPatientCompartment, patientCompartmentFilter, patientCompartmentParams } from './compartment.ts';

const BASE = 'http://example.org/fhir';

describe('the Patient compartment as filters (server/access/compartment.ts)', () => {
  it('knows which types are in it', () => {
    assert.ok(inPatientCompartment('Observation'));
    assert.ok(inPatientCompartment('Patient'));
    assert.ok(!inPatientCompartment('Practitioner'));
    assert.ok(!inPatientCompartment('Medication'));
    assert.deepEqual(patientCompartmentParams('Observation'), ['subject', 'performer']);
    assert.deepEqual(patientCompartmentParams('Organization'), []);
  });

  it('matches every parameter the definition lists, relative and absolute', () => {
    assert.deepEqual(patientCompartmentFilter('Observation', '1', BASE), {
      ref: { $in: ['subject|Patient/1', `subject|${BASE}/Patient/1`, 'performer|Patient/1', `performer|${BASE}/Patient/1`] },
    });
  });

  it('Patient: the patient itself, or a patient linking to it', () => {
    assert.deepEqual(patientCompartmentFilter('Patient', '1', BASE), {
      $or: [{ _id: 'Patient/1' }, { ref: { $in: ['link|Patient/1', `link|${BASE}/Patient/1`] } }],
    });
  });

  it('a type outside the compartment has no filter', () => {
    assert.equal(patientCompartmentFilter('Practitioner', '1', BASE), undefined);
  });
});
