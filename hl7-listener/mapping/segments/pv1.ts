/**
 * PV1 (+ PV2) -> Encounter (IG ConceptMap segment-pv1-to-encounter, segment-pv2-to-encounter). The Encounter's
 * identity is PV1-19 (visit number). Its status comes from the trigger event (see messages/adt.ts), and it
 * records the time of the event that last wrote it (EVENT_TIME_URL) so that a late, older event can be
 * recognised (encounter-order.ts).
 */
import type { Encounter, EncounterParticipant, Patient, Reference } from '@medplum/fhirtypes';
import { component, repetitions, value, type Location } from '../access.ts';
import type { MappingContext } from '../context.ts';
import { derivedIdentifier, tokenParameter } from '../entries.ts';
import type { Segment } from '../../message.ts';
import { ACT_CODE, PATIENT_CLASS, v2Table } from '../vocabulary.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { xcnToReference } from '../datatypes/xcn.ts';

/** Extension: the HL7 event time (EVN-2, else MSH-7) of the message that last wrote this Encounter. */
export const EVENT_TIME_URL = 'urn:fhirline:hl7v2:StructureDefinition/event-time';

export interface MappedEncounter {
  encounter: Encounter;
  query: string;
}

const PARTICIPANTS: [number, string, string][] = [
  [7, 'ATND', 'attender'],
  [8, 'REF', 'referrer'],
  [9, 'CON', 'consultant'],
  [17, 'ADM', 'admitter'],
];

/** PL (point of care ^ room ^ bed ^ facility ...) as one display string. */
function locationDisplay(seg: Segment, field: number): string | undefined {
  const rep = repetitions(seg, field)[0];
  const parts = [component(rep, 4), component(rep, 1), component(rep, 2), component(rep, 3)].filter((p) => p !== undefined);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/**
 * The Encounter's key: PV1-19. Without it (the IG does not require it), `patientKey` given (ADT), a derived key
 * from the patient and the admit time PV1-44, else the event time: a later message about the same visit finds
 * it only if it carries the same PV1-44. Undefined without PV1-19 and `patientKey`.
 */
export function pv1ToEncounter(
  pv1: Segment,
  pv2: Segment | undefined,
  context: MappingContext,
  status: Encounter['status'],
  subject: Reference<Patient>,
  eventTime: string | undefined,
  patientKey?: string,
): MappedEncounter | undefined {
  const at = (field: number): Location => ({ segment: 'PV1', sequence: 1, field });
  const tz = context.profile.timeZone ?? 'UTC';
  const visit = repetitions(pv1, 19)[0];
  const admitted = dtmToDateTime(value(pv1, 44), tz, at(44));
  const identifier =
    (visit && cxToIdentifier(visit, context.profile, at(19))) ||
    (patientKey !== undefined && (admitted ?? eventTime) !== undefined
      ? derivedIdentifier(patientKey, 'PV1-44', admitted ?? eventTime)
      : undefined);
  if (!identifier) return undefined;
  const patientClass = value(pv1, 2);
  const mapped = patientClass !== undefined ? PATIENT_CLASS[patientClass] : undefined;
  const encounter: Encounter = {
    resourceType: 'Encounter',
    identifier: [identifier],
    status,
    class: mapped
      ? { system: ACT_CODE, code: mapped.code, display: mapped.display }
      : patientClass !== undefined
        ? { system: v2Table('0004'), code: patientClass }
        : { system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNK' },
    subject,
  };
  if (eventTime !== undefined) encounter.extension = [{ url: EVENT_TIME_URL, valueDateTime: eventTime }];
  const serviceType = cweToCodeableConcept(repetitions(pv1, 10)[0], v2Table('0069'));
  if (serviceType) encounter.serviceType = serviceType;
  const admissionType = cweToCodeableConcept(repetitions(pv1, 4)[0], v2Table('0007'));
  if (admissionType) encounter.type = [admissionType];
  const participant: EncounterParticipant[] = [];
  for (const [field, code, display] of PARTICIPANTS) {
    for (const rep of repetitions(pv1, field)) {
      const individual = xcnToReference(rep, context.profile);
      if (individual) {
        participant.push({
          type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code, display }] }],
          individual,
        });
      }
    }
  }
  if (participant.length > 0) encounter.participant = participant;
  const start = admitted;
  const end = dtmToDateTime(value(pv1, 45), tz, at(45));
  if (start || end) encounter.period = { ...(start && { start }), ...(end && { end }) };
  const location = locationDisplay(pv1, 3);
  if (location) encounter.location = [{ location: { display: location }, status: status === 'finished' ? 'completed' : 'active' }];
  const admitSource = cweToCodeableConcept(repetitions(pv1, 14)[0], v2Table('0023'));
  const disposition = cweToCodeableConcept(repetitions(pv1, 36)[0], v2Table('0112'));
  const preAdmit = repetitions(pv1, 5)[0] && cxToIdentifier(repetitions(pv1, 5)[0], context.profile, at(5));
  if (admitSource || disposition || preAdmit) {
    encounter.hospitalization = {
      ...(preAdmit && { preAdmissionIdentifier: preAdmit }),
      ...(admitSource && { admitSource }),
      ...(disposition && { dischargeDisposition: disposition }),
    };
  }
  const reason = cweToCodeableConcept(repetitions(pv2, 3)[0]);
  if (reason) encounter.reasonCode = [reason];
  const query =
    identifier.system !== undefined
      ? `identifier=${tokenParameter(identifier.system, identifier.value!)}`
      : `identifier=${tokenParameter(undefined, identifier.value!)}`;
  return { encounter, query };
}
