/**
 * AL1 -> AllergyIntolerance (IG ConceptMap segment-al1-to-allergyintolerance). AL1 has no identifier: the
 * allergy is identified by the patient and the allergen code (a derived key), so a repeated A08 updates it.
 */
import type { AllergyIntolerance, Patient, Reference } from '@medplum/fhirtypes';
import { repetitions, value, type Location } from '../access.ts';
import { derivedIdentifier } from '../entries.ts';
import { required } from '../errors.ts';
import type { Segment } from '../../message.ts';
import { ALLERGEN_TYPE, ALLERGY_SEVERITY } from '../vocabulary.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { dtToDate } from '../datatypes/dtm.ts';

export function al1ToAllergyIntolerance(
  al1: Segment,
  sequence: number,
  patient: Reference<Patient>,
  patientKey: string,
): AllergyIntolerance {
  const at = (field: number): Location => ({ segment: 'AL1', sequence, field });
  const code = cweToCodeableConcept(repetitions(al1, 3)[0]);
  if (!code) throw required('AL1-3 (allergen code)', at(3));
  const coding = code.coding?.[0];
  const allergy: AllergyIntolerance = {
    resourceType: 'AllergyIntolerance',
    identifier: [derivedIdentifier(patientKey, 'AL1', coding?.system, coding?.code ?? code.text)],
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    code,
    patient,
  };
  const category = ALLERGEN_TYPE[value(al1, 2) ?? ''];
  if (category) allergy.category = [category];
  const criticality = ALLERGY_SEVERITY[value(al1, 4) ?? ''];
  if (criticality) allergy.criticality = criticality;
  const reactions = repetitions(al1, 5)
    .map((rep) => ({
      text: rep
        .map((c) => c.join('&'))
        .join(' ')
        .trim(),
    }))
    .filter((r) => r.text !== '');
  if (reactions.length > 0) allergy.reaction = [{ manifestation: reactions }];
  const recorded = dtToDate(value(al1, 6), at(6));
  if (recorded) allergy.onsetDateTime = recorded;
  return allergy;
}
