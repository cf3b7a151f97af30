/**
 * PID (+ PD1) -> Patient (IG ConceptMap segment-pid-to-patient, segment-pd1-to-patient). The patient's
 * identity is its PID-3 identifiers: at least one must have a system (the sender's table), otherwise the
 * message cannot say which patient it is about (0357 code 103 at PID-3.4).
 */
import type { Patient } from '@medplum/fhirtypes';
import { repetitions, value, type Location } from '../access.ts';
import type { MappingContext } from '../context.ts';
import { tokenParameter } from '../entries.ts';
import { ERROR_CODES, fault, required } from '../errors.ts';
import type { Segment } from '../../message.ts';
import { ADMINISTRATIVE_SEX, v2Table } from '../vocabulary.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { dtToDate, dtmToDateTime } from '../datatypes/dtm.ts';
import { xadToAddress } from '../datatypes/xad.ts';
import { xcnToReference } from '../datatypes/xcn.ts';
import { xpnToHumanName } from '../datatypes/xpn.ts';
import { xtnToContactPoint } from '../datatypes/xtn.ts';

export interface MappedPatient {
  patient: Patient;
  /**
   * The condition that finds this patient: its first identifier with a system, among active patients (a patient
   * merged away by an A40 is inactive and shares identifiers with the survivor).
   */
  query: string;
}

function defined<T>(v: T | undefined): v is T {
  return v !== undefined;
}

export function pidToPatient(pid: Segment, pd1: Segment | undefined, context: MappingContext, sequence = 1): MappedPatient {
  const at = (field: number, comp?: number): Location => ({ segment: 'PID', sequence, field, ...(comp && { component: comp }) });
  const { profile } = context;
  const tz = profile.timeZone ?? 'UTC';
  const identifier = repetitions(pid, 3)
    .map((rep) => cxToIdentifier(rep, profile, at(3), 'patient'))
    .filter(defined);
  if (identifier.length === 0) throw required('PID-3 (patient identifier list)', at(3));
  const key = identifier.find((i) => i.system !== undefined);
  if (!key)
    throw fault(
      ERROR_CODES.tableValueNotFound,
      `No assigning authority of PID-3 is in the identifier system table of ${context.sender.application}^${context.sender.facility}`,
      at(3, 4),
    );
  const patient: Patient = { resourceType: 'Patient', identifier, active: true };
  const name = repetitions(pid, 5)
    .map((rep) => xpnToHumanName(rep, tz, at(5)))
    .filter(defined);
  if (name.length > 0) patient.name = name;
  const maiden = value(pid, 6);
  if (maiden !== undefined)
    patient.extension = [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName', valueString: maiden }];
  const birthDate = dtToDate(value(pid, 7), at(7));
  if (birthDate !== undefined) patient.birthDate = birthDate;
  const sex = value(pid, 8);
  if (sex !== undefined) patient.gender = ADMINISTRATIVE_SEX[sex.toUpperCase()] ?? 'unknown';
  const address = repetitions(pid, 11).map(xadToAddress).filter(defined);
  if (address.length > 0) patient.address = address;
  const telecom = [
    ...repetitions(pid, 13)
      .map(xtnToContactPoint)
      .filter(defined)
      .map((t) => ({ ...t, use: t.use ?? 'home' })),
    ...repetitions(pid, 14)
      .map(xtnToContactPoint)
      .filter(defined)
      .map((t) => ({ ...t, use: 'work' as const })),
  ];
  if (telecom.length > 0) patient.telecom = telecom;
  const language = cweToCodeableConcept(repetitions(pid, 15)[0]);
  if (language) patient.communication = [{ language }];
  const marital = cweToCodeableConcept(repetitions(pid, 16)[0], v2Table('0002'));
  if (marital) patient.maritalStatus = marital;
  const multipleBirth = value(pid, 24);
  const birthOrder = value(pid, 25);
  if (birthOrder !== undefined && /^\d+$/.test(birthOrder)) patient.multipleBirthInteger = Number(birthOrder);
  else if (multipleBirth === 'Y' || multipleBirth === 'N') patient.multipleBirthBoolean = multipleBirth === 'Y';
  const deathTime = dtmToDateTime(value(pid, 29), tz, at(29));
  if (deathTime !== undefined) patient.deceasedDateTime = deathTime;
  else if (value(pid, 30) === 'Y' || value(pid, 30) === 'N') patient.deceasedBoolean = value(pid, 30) === 'Y';
  const gps = repetitions(pd1, 4)
    .map((rep) => xcnToReference(rep, profile))
    .filter(defined);
  if (gps.length > 0) patient.generalPractitioner = gps;
  return { patient, query: `identifier=${tokenParameter(key.system, key.value!)}&active:not=false` };
}

/** PID-3 key identifier as `system|value` text, for derived keys of resources about this patient. */
export function patientKey(mapped: MappedPatient): string {
  const id = mapped.patient.identifier!.find((i) => i.system !== undefined)!;
  return `${id.system}|${id.value}`;
}
