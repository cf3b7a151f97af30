/**
 * NK1 -> Patient.contact (the IG maps NK1 to RelatedPerson; we choose Patient.contact because NK1 carries no
 * identifier of the person: a contact is replaced with the Patient it belongs to, where RelatedPersons would
 * accumulate duplicates with every A08. README, "Next of kin").
 */
import type { PatientContact } from '@medplum/fhirtypes';
import { repetitions, type Location } from '../access.ts';
import type { Segment } from '../../message.ts';
import { v2Table } from '../vocabulary.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { dtToDate } from '../datatypes/dtm.ts';
import { xadToAddress } from '../datatypes/xad.ts';
import { xpnToHumanName } from '../datatypes/xpn.ts';
import { xtnToContactPoint } from '../datatypes/xtn.ts';
import { value } from '../access.ts';
import { ADMINISTRATIVE_SEX } from '../vocabulary.ts';

export function nk1ToContact(nk1: Segment, sequence: number, timeZone: string): PatientContact | undefined {
  const at = (field: number): Location => ({ segment: 'NK1', sequence, field });
  const contact: PatientContact = {};
  const name = repetitions(nk1, 2)
    .map((rep) => xpnToHumanName(rep, timeZone, at(2)))
    .find((n) => n !== undefined);
  if (name) contact.name = name;
  const relationship = [
    cweToCodeableConcept(repetitions(nk1, 3)[0], v2Table('0063')),
    cweToCodeableConcept(repetitions(nk1, 7)[0], v2Table('0131')),
  ].filter((c) => c !== undefined);
  if (relationship.length > 0) contact.relationship = relationship;
  const address = xadToAddress(repetitions(nk1, 4)[0] ?? []);
  if (address) contact.address = address;
  const telecom = [
    ...repetitions(nk1, 5).map(xtnToContactPoint),
    ...repetitions(nk1, 6).map((r) => {
      const t = xtnToContactPoint(r);
      return t && { ...t, use: 'work' as const };
    }),
  ].filter((t) => t !== undefined);
  if (telecom.length > 0) contact.telecom = telecom;
  const sex = value(nk1, 15);
  if (sex !== undefined) contact.gender = ADMINISTRATIVE_SEX[sex.toUpperCase()] ?? 'unknown';
  const start = dtToDate(value(nk1, 8), at(8));
  const end = dtToDate(value(nk1, 9), at(9));
  if (start || end) contact.period = { ...(start && { start }), ...(end && { end }) };
  // pat-1: a contact SHALL at least contain a contact's details or a reference to an organization
  return contact.name || contact.telecom || contact.address ? contact : undefined;
}
