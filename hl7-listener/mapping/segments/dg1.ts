/**
 * DG1 -> Condition (IG ConceptMap segment-dg1-to-condition): an encounter diagnosis. Identity: DG1-20 when the
 * sender gives it, else a derived key (patient, diagnosis code).
 */
import type { Condition, Encounter, Patient, Reference } from '@medplum/fhirtypes';
import { repetitions, value, type Location } from '../access.ts';
import type { MappingContext } from '../context.ts';
import { derivedIdentifier } from '../entries.ts';
import { required } from '../errors.ts';
import type { Segment } from '../../message.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { eiToIdentifier } from '../datatypes/ei.ts';
import { xcnToReference } from '../datatypes/xcn.ts';

/** DG1-6 diagnosis type (table 0052) -> verification status: admitting and working are provisional. */
const VERIFICATION: Record<string, string> = { A: 'provisional', W: 'provisional', F: 'confirmed' };

export function dg1ToCondition(
  dg1: Segment,
  sequence: number,
  context: MappingContext,
  subject: Reference<Patient>,
  encounter: Reference<Encounter> | undefined,
  patientKey: string,
): Condition {
  const at = (field: number): Location => ({ segment: 'DG1', sequence, field });
  const code = cweToCodeableConcept(repetitions(dg1, 3)[0]) ?? (value(dg1, 4) !== undefined ? { text: value(dg1, 4)! } : undefined);
  if (!code) throw required('DG1-3 (diagnosis code)', at(3));
  const coding = code.coding?.[0];
  const own = eiToIdentifier(repetitions(dg1, 20)[0], context.profile);
  const condition: Condition = {
    resourceType: 'Condition',
    identifier: [own?.system ? own : derivedIdentifier(patientKey, 'DG1', coding?.system, coding?.code ?? code.text)],
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
    code,
    subject,
  };
  if (encounter) condition.encounter = encounter;
  const verification = VERIFICATION[value(dg1, 6) ?? ''];
  if (verification)
    condition.verificationStatus = {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: verification }],
    };
  const onset = dtmToDateTime(value(dg1, 5), context.profile.timeZone ?? 'UTC', at(5));
  if (onset) condition.onsetDateTime = onset;
  const recorder = xcnToReference(repetitions(dg1, 16)[0], context.profile);
  if (recorder) condition.asserter = recorder;
  return condition;
}
