/**
 * ORU^R01 -> per OBR: DiagnosticReport (status OBR-25), the ServiceRequest it is based on, one Observation per
 * OBX (ED/RP documents become the report's presentedForm), Specimen per SPM (IG ConceptMap
 * message-oru-r01-to-bundle).
 *
 * "basedOn the ServiceRequest when it exists": a conditional reference with no match would fail the whole
 * transaction, so the order is instead a conditional create (POST ifNoneExist its number): an existing order is
 * left untouched and referenced, an unknown one (results for an order we never saw) is created from ORC/OBR.
 * Observations are conditionally updated by filler number + OBX-3 + OBX-4, so a correction (OBX-11 C) replaces
 * the earlier Observation.
 */
import type { Attachment, DiagnosticReport, Encounter, Identifier, Observation, Reference, Specimen } from '@medplum/fhirtypes';
import { firstSegment, sequenceOf, value } from '../access.ts';
import type { MappingContext } from '../context.ts';
import {
  binaryEntry,
  conditionalCreate,
  conditionalUpdate,
  derivedIdentifier,
  identifierQuery,
  type TransactionEntry,
} from '../entries.ts';
import { required } from '../errors.ts';
import type { Hl7Message } from '../../message.ts';
import { notesAfter } from '../segments/nte.ts';
import { obxToObservation } from '../segments/obx.ts';
import { obrToDiagnosticReport, orderNumbers, orderQuery, reportQuery, toServiceRequest } from '../segments/orc-obr.ts';
import { pv1ToEncounter } from '../segments/pv1.ts';
import { spmToSpecimen } from '../segments/spm.ts';
import { eventTime, patientEntry } from './header.ts';
import { orderGroups } from './order-groups.ts';

export function mapResults(message: Hl7Message, context: MappingContext): TransactionEntry[] {
  const patient = patientEntry(message, context, 'create-if-unknown', false);
  const entries: TransactionEntry[] = [patient.entry];
  const pv1 = firstSegment(message, 'PV1');
  const encounter =
    pv1 && pv1ToEncounter(pv1, firstSegment(message, 'PV2'), context, 'unknown', patient.reference, eventTime(message, context));
  let encounterRef: Reference<Encounter> | undefined;
  if (encounter) {
    const entry = conditionalCreate(context, 'Encounter', encounter.encounter, encounter.query);
    entries.push(entry);
    encounterRef = { reference: entry.fullUrl };
  }
  const groups = orderGroups(message).filter((g) => g.obr);
  if (groups.length === 0) throw required('OBR segment', { segment: 'OBR', sequence: 1 });
  for (const group of groups) {
    const obr = group.obr!;
    const at = { segment: 'OBR', sequence: group.sequence, field: 3 };
    const numbers = orderNumbers(group.orc, obr, context);
    const orderKey: Identifier = numbers.filler?.system
      ? numbers.filler
      : numbers.placer?.system
        ? numbers.placer
        : (() => {
            throw required('OBR-3/OBR-2 (filler or placer order number with a known assigning authority)', at);
          })();

    const request = toServiceRequest(group.orc, obr, group.sequence, context, patient.reference);
    if (!group.orc) request.status = 'active';
    if (encounterRef) request.encounter = encounterRef;
    const orderNotes = notesAfter(message.segments, group.index);
    if (orderNotes.length > 0) request.note = orderNotes;
    const requestEntry = conditionalCreate(context, `OBR/${group.sequence}/order`, request, orderQuery(numbers, at));
    entries.push(requestEntry);

    const specimens: Reference<Specimen>[] = [];
    group.spm.forEach((spm) => {
      const seq = sequenceOf(message, spm);
      const specimen = spmToSpecimen(spm, seq, context, patient.reference);
      if (!specimen.identifier?.some((i) => i.system))
        specimen.identifier = [
          ...(specimen.identifier ?? []),
          derivedIdentifier(`${orderKey.system}|${orderKey.value}`, 'SPM', value(spm, 1) ?? String(seq)),
        ];
      const entry = conditionalUpdate(context, `SPM/${seq}`, specimen, identifierQuery(specimen.identifier)!);
      entries.push(entry);
      specimens.push({ reference: entry.fullUrl });
    });

    const results: Reference<Observation>[] = [];
    const presentedForm: Attachment[] = [];
    for (const { segment: obx, index } of group.obx) {
      const seq = sequenceOf(message, obx);
      const mapped = obxToObservation(obx, seq, context);
      if (mapped.attachment) {
        const { attachment } = mapped.attachment;
        if (attachment.data === undefined) {
          presentedForm.push(attachment); // RP: a reference to a document held elsewhere
          continue;
        }
        const binary = binaryEntry(context, `OBX/${seq}/document`, attachment, patient.reference);
        entries.push(binary.entry);
        presentedForm.push(binary.attachment);
        continue;
      }
      // Completed in place (the mapping's own fresh object): copying it with a spread cost more than the mapping.
      const observation: Observation = mapped.observation!;
      observation.identifier = [{ system: orderKey.system, value: `${orderKey.value}|${mapped.key}` }];
      observation.basedOn = [{ reference: requestEntry.fullUrl }];
      observation.subject = patient.reference;
      if (encounterRef) observation.encounter = encounterRef;
      if (specimens.length > 0) observation.specimen = specimens[0];
      const notes = notesAfter(message.segments, index);
      if (notes.length > 0) observation.note = notes;
      const entry = conditionalUpdate(context, `OBX/${seq}`, observation, identifierQuery(observation.identifier)!);
      entries.push(entry);
      results.push({ reference: entry.fullUrl });
    }

    const report: DiagnosticReport = obrToDiagnosticReport(obr, group.orc, group.sequence, context, patient.reference);
    report.basedOn = [{ reference: requestEntry.fullUrl }];
    if (encounterRef) report.encounter = encounterRef;
    if (specimens.length > 0) report.specimen = specimens;
    if (results.length > 0) report.result = results;
    if (presentedForm.length > 0) report.presentedForm = presentedForm;
    entries.push(conditionalUpdate(context, `OBR/${group.sequence}/report`, report, reportQuery(numbers, at)));
  }
  return entries;
}
