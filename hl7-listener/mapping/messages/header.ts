/** MSH/EVN facts every message structure needs: type, event, event time, and the patient entry. */
import type { Patient, Reference } from '@medplum/fhirtypes';
import { firstSegment, sequenceOf, value } from '../access.ts';
import type { MappingContext } from '../context.ts';
import { conditionalCreate, conditionalUpdate, type TransactionEntry } from '../entries.ts';
import { required } from '../errors.ts';
import type { Hl7Message } from '../../message.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { patientKey, pidToPatient } from '../segments/pid.ts';
import { nk1ToContact } from '../segments/nk1.ts';

export interface MessageType {
  type: string;
  event: string;
}

/** MSH-9 (message type ^ trigger event ^ structure); EVN-1 when MSH-9.2 is empty (v2.3 senders). */
export function messageType(message: Hl7Message): MessageType {
  const msh = firstSegment(message, 'MSH');
  const type = value(msh, 9, 1);
  if (type === undefined) throw required('MSH-9 (message type)', { segment: 'MSH', sequence: 1, field: 9 });
  return { type, event: value(msh, 9, 2) ?? value(firstSegment(message, 'EVN'), 1) ?? '' };
}

/** EVN-2 (recorded date/time) else MSH-7: when the event happened at the sender, for ordering. */
export function eventTime(message: Hl7Message, context: MappingContext): string | undefined {
  const tz = context.profile.timeZone ?? 'UTC';
  const evn = firstSegment(message, 'EVN');
  return (
    dtmToDateTime(value(evn, 2), tz, { segment: 'EVN', sequence: 1, field: 2 }) ??
    dtmToDateTime(value(firstSegment(message, 'MSH'), 7), tz, { segment: 'MSH', sequence: 1, field: 7 })
  );
}

export interface PatientEntry {
  entry: TransactionEntry;
  reference: Reference<Patient>;
  /** `system|value` of the key identifier, for derived keys. */
  key: string;
  query: string;
}

/**
 * The message's patient. ADT owns demographics: `update` replaces the Patient (conditional update, creating it
 * when unknown, so an A08 before its A01 creates it). Orders and results only create it when unknown
 * (conditional create) and never overwrite what ADT said.
 */
export function patientEntry(
  message: Hl7Message,
  context: MappingContext,
  mode: 'update' | 'create-if-unknown',
  withContacts: boolean,
): PatientEntry {
  const pid = firstSegment(message, 'PID');
  if (!pid) throw required('PID segment', { segment: 'PID', sequence: 1 });
  const mapped = pidToPatient(pid, firstSegment(message, 'PD1'), context);
  if (withContacts) {
    const contacts = message.segments
      .filter((s) => s.name === 'NK1')
      .map((nk1) => nk1ToContact(nk1, sequenceOf(message, nk1), context.profile.timeZone ?? 'UTC'))
      .filter((c) => c !== undefined);
    if (contacts.length > 0) mapped.patient.contact = contacts;
  }
  const entry =
    mode === 'update'
      ? conditionalUpdate(context, 'Patient', mapped.patient, mapped.query)
      : conditionalCreate(context, 'Patient', mapped.patient, mapped.query);
  return { entry, reference: { reference: entry.fullUrl }, key: patientKey(mapped), query: mapped.query };
}
