/**
 * ADT A01 A02 A03 A04 A05 A06 A07 A08 A11 A12 A13 A28 A31 -> Patient (PID, PD1, NK1 as contacts), Encounter
 * (PV1, PV2), AllergyIntolerance (AL1), Condition (DG1), Coverage (IN1), Observation (OBX), following the IG's
 * message maps (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-message-adt-a01-to-bundle.html). The
 * Encounter status comes from the event (ENCOUNTER_STATUS); A03 has no IG map (README).
 */
import type { Encounter, Reference } from '@medplum/fhirtypes';
import { firstSegment, segments, sequenceOf, value } from '../access.ts';
import type { MappingContext } from '../context.ts';
import { conditionalUpdate, derivedIdentifier, identifierQuery, type TransactionEntry } from '../entries.ts';
import { required } from '../errors.ts';
import type { Hl7Message } from '../../message.ts';
import { al1ToAllergyIntolerance } from '../segments/al1.ts';
import { dg1ToCondition } from '../segments/dg1.ts';
import { in1ToCoverage } from '../segments/in1.ts';
import { obxToObservation } from '../segments/obx.ts';
import { notesAfter } from '../segments/nte.ts';
import { pv1ToEncounter } from '../segments/pv1.ts';
import { eventTime, patientEntry } from './header.ts';

/**
 * Encounter.status per event. `data`: A08 says nothing about the stage of the visit, so the status is read from
 * PV1 (discharge time -> finished, admit time -> in-progress, else unknown). `none`: patient-only events.
 */
export const ENCOUNTER_STATUS: Record<string, Encounter['status'] | 'data' | 'none'> = {
  A01: 'in-progress', // admit
  A02: 'in-progress', // transfer
  A03: 'finished', // discharge
  A04: 'arrived', // register an outpatient
  A05: 'planned', // pre-admit
  A06: 'in-progress', // outpatient -> inpatient (class from PV1-2)
  A07: 'in-progress', // inpatient -> outpatient
  A08: 'data', // update patient information
  A11: 'cancelled', // cancel admit / visit notification
  A12: 'in-progress', // cancel transfer
  A13: 'in-progress', // cancel discharge
  A28: 'none', // add person information
  A31: 'none', // update person information
};

export const ADT_EVENTS = new Set([...Object.keys(ENCOUNTER_STATUS), 'A40']);

function statusFromData(message: Hl7Message): Encounter['status'] {
  const pv1 = firstSegment(message, 'PV1');
  if (value(pv1, 45) !== undefined) return 'finished';
  if (value(pv1, 44) !== undefined) return 'in-progress';
  return value(pv1, 2) === 'P' ? 'planned' : 'unknown';
}

export function mapAdt(message: Hl7Message, event: string, context: MappingContext): TransactionEntry[] {
  const rule = ENCOUNTER_STATUS[event];
  const patient = patientEntry(message, context, 'update', true);
  const entries: TransactionEntry[] = [patient.entry];
  let encounterRef: Reference<Encounter> | undefined;
  const pv1 = firstSegment(message, 'PV1');
  if (rule !== 'none' && pv1) {
    const status = rule === 'data' ? statusFromData(message) : rule;
    const mapped = pv1ToEncounter(
      pv1,
      firstSegment(message, 'PV2'),
      context,
      status,
      patient.reference,
      eventTime(message, context),
      rule === 'data' ? undefined : patient.key,
    );
    if (mapped) {
      const entry = conditionalUpdate(context, 'Encounter', mapped.encounter, mapped.query);
      entries.push(entry);
      encounterRef = { reference: entry.fullUrl };
    } else if (rule !== 'data') {
      throw required(`PV1-19 (visit number) for ${event}`, { segment: 'PV1', sequence: 1, field: 19 });
    }
  } else if (rule !== 'none' && rule !== 'data') {
    throw required(`PV1 segment for ${event}`, { segment: 'PV1', sequence: 1 });
  }
  for (const al1 of segments(message, 'AL1')) {
    const seq = sequenceOf(message, al1);
    const allergy = al1ToAllergyIntolerance(al1, seq, patient.reference, patient.key);
    entries.push(conditionalUpdate(context, `AL1/${seq}`, allergy, identifierQuery(allergy.identifier)!));
  }
  for (const dg1 of segments(message, 'DG1')) {
    const seq = sequenceOf(message, dg1);
    const condition = dg1ToCondition(dg1, seq, context, patient.reference, encounterRef, patient.key);
    entries.push(conditionalUpdate(context, `DG1/${seq}`, condition, identifierQuery(condition.identifier)!));
  }
  for (const in1 of segments(message, 'IN1')) {
    const seq = sequenceOf(message, in1);
    const coverage = in1ToCoverage(in1, seq, context, patient.reference, patient.key);
    if (!coverage) continue;
    entries.push(conditionalUpdate(context, `IN1/${seq}`, coverage, identifierQuery(coverage.identifier)!));
  }
  message.segments.forEach((obx, index) => {
    if (obx.name !== 'OBX') return;
    const seq = sequenceOf(message, obx);
    const mapped = obxToObservation(obx, seq, context);
    if (!mapped.observation) return; // a document in an ADT has no report to hang on (README)
    const observation = {
      ...mapped.observation,
      identifier: [derivedIdentifier(patient.key, 'OBX', mapped.key)],
      subject: patient.reference,
    };
    if (encounterRef) observation.encounter = encounterRef;
    const notes = notesAfter(message.segments, index);
    if (notes.length > 0) observation.note = notes;
    entries.push(conditionalUpdate(context, `OBX/${seq}`, observation, identifierQuery(observation.identifier)!));
  });
  return entries;
}
