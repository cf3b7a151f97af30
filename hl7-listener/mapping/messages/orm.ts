/**
 * ORM^O01 and OML^O21 -> ServiceRequest per order (IG ConceptMap message-orm-o01-to-bundle,
 * message-oml-o21-to-bundle). An order with an OBR is written whole (conditional update by its number, so a
 * cancel or discontinue updates the existing order), and so is a new order (ORC-1 NW) or one whose detail is
 * an RQD or RXO instead of an OBR; an ORC alone (e.g. `ORC|CA|...` without detail) only changes the status of an
 * order that must exist (JSON Patch), rather than erasing its detail.
 */
import type { ServiceRequest } from '@medplum/fhirtypes';
import { firstSegment, repetitions, value } from '../access.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import type { MappingContext } from '../context.ts';
import {
  conditionalCreate,
  conditionalPatch,
  conditionalUpdate,
  derivedIdentifier,
  identifierQuery,
  type TransactionEntry,
} from '../entries.ts';
import { required } from '../errors.ts';
import type { Hl7Message } from '../../message.ts';
import { notesAfter } from '../segments/nte.ts';
import { orderQuery, orderNumbers, orderStatus, toServiceRequest } from '../segments/orc-obr.ts';
import { pv1ToEncounter } from '../segments/pv1.ts';
import { eventTime, patientEntry } from './header.ts';
import { orderGroups } from './order-groups.ts';

export function mapOrders(message: Hl7Message, context: MappingContext): TransactionEntry[] {
  const patient = patientEntry(message, context, 'create-if-unknown', false);
  const entries: TransactionEntry[] = [patient.entry];
  const pv1 = firstSegment(message, 'PV1');
  const encounter =
    pv1 && pv1ToEncounter(pv1, firstSegment(message, 'PV2'), context, 'unknown', patient.reference, eventTime(message, context));
  let encounterRef: string | undefined;
  if (encounter) {
    const entry = conditionalCreate(context, 'Encounter', encounter.encounter, encounter.query);
    entries.push(entry);
    encounterRef = entry.fullUrl;
  }
  const groups = orderGroups(message);
  if (groups.length === 0) throw required('ORC segment', { segment: 'ORC', sequence: 1 });
  const used = new Set<string>();
  for (const group of groups) {
    const segmentName = group.obr ? 'OBR' : 'ORC';
    let query = orderQuery(orderNumbers(group.orc, group.obr, context), { segment: 'ORC', sequence: group.sequence, field: 2 });
    // Some senders repeat the ORC's placer number on each OBR of the group: a later order with a number already
    // used in this message is keyed by that number and its OBR-4, since one transaction changes a resource once.
    const duplicate = used.has(query) ? derivedIdentifier(query, 'OBR-4', value(group.obr, 4)) : undefined;
    if (duplicate) query = identifierQuery([duplicate])!;
    used.add(query);
    if (!group.obr && !group.detail && value(group.orc, 1) !== 'NW') {
      entries.push(
        conditionalPatch(context, `ORC/${group.sequence}`, 'ServiceRequest', query, [
          { op: 'replace', path: '/status', value: orderStatus(group.orc) },
        ]),
      );
      continue;
    }
    const request: ServiceRequest = toServiceRequest(group.orc, group.obr, group.sequence, context, patient.reference);
    if (duplicate) request.identifier = [...(request.identifier ?? []), duplicate];
    // RQD-2 item code (else RQD-3 external code) or RXO-1 requested give code stand for OBR-4 (HL7 v2.5.1 4.6, 4A.4.1).
    const detailCode =
      group.detail &&
      cweToCodeableConcept(repetitions(group.detail, group.detail.name === 'RQD' ? 2 : 1)[0] ?? repetitions(group.detail, 3)[0]);
    if (!request.code && detailCode) request.code = detailCode;
    if (encounterRef) request.encounter = { reference: encounterRef };
    const notes = notesAfter(message.segments, group.index);
    if (notes.length > 0) request.note = notes;
    entries.push(conditionalUpdate(context, `${segmentName}/${group.sequence}`, request, query));
  }
  return entries;
}
