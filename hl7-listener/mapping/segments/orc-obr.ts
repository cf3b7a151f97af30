/**
 * ORC + OBR -> ServiceRequest (IG ConceptMaps segment-orc-to-servicerequest, segment-obr-to-servicerequest) and
 * OBR -> DiagnosticReport (segment-obr-to-diagnosticreport). Order identity: placer number ORC-2 (else OBR-2),
 * then filler number ORC-3 (else OBR-3). ServiceRequest.status from ORC-5 (table 0038) else ORC-1 (table 0119).
 */
import type { DiagnosticReport, Identifier, Patient, Reference, ServiceRequest } from '@medplum/fhirtypes';
import { repetitions, value, type Location } from '../access.ts';
import type { MappingContext } from '../context.ts';
import { derivedIdentifier, tokenParameter } from '../entries.ts';
import { required } from '../errors.ts';
import type { Segment } from '../../message.ts';
import { ORDER_CONTROL_STATUS, ORDER_STATUS, RESULT_STATUS } from '../vocabulary.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { asInstant, dtmToDateTime } from '../datatypes/dtm.ts';
import { eiToIdentifier } from '../datatypes/ei.ts';
import { xcnToReference } from '../datatypes/xcn.ts';

export interface OrderNumbers {
  placer?: Identifier;
  filler?: Identifier;
}

/**
 * Placer ORC-2 (else OBR-2) and filler ORC-3 (else OBR-3). Neither (the IG does not require them when the
 * order belongs to a placer group): a derived key from the placer group number ORC-4 and OBR-4, as placer.
 */
export function orderNumbers(orc: Segment | undefined, obr: Segment | undefined, context: MappingContext): OrderNumbers {
  const pick = (field: number) => repetitions(orc, field)[0] ?? repetitions(obr, field)[0];
  const placer = eiToIdentifier(pick(2), context.profile, 'PLAC', 'placer');
  const filler = eiToIdentifier(pick(3), context.profile, 'FILL', 'filler');
  if (!placer && !filler) {
    const group = eiToIdentifier(repetitions(orc, 4)[0], context.profile);
    if (group) return { placer: derivedIdentifier('ORC-4', group.system, group.value, value(obr, 4) ?? value(orc, 1)) };
  }
  return { ...(placer && { placer }), ...(filler && { filler }) };
}

/** `identifier=sys|value` of the first number that has a system: placer, else filler. */
export function orderQuery(numbers: OrderNumbers, at: Location): string {
  for (const id of [numbers.placer, numbers.filler]) {
    if (id?.system !== undefined) return `identifier=${tokenParameter(id.system, id.value!)}`;
  }
  throw required('ORC-2/ORC-3 (placer or filler order number with a known assigning authority)', at);
}

/** Table 0038 (ORC-5) first, else table 0119 (ORC-1); neither known: active (the order exists). */
export function orderStatus(orc: Segment | undefined): ServiceRequest['status'] {
  return ORDER_STATUS[value(orc, 5) ?? ''] ?? ORDER_CONTROL_STATUS[value(orc, 1) ?? ''] ?? 'active';
}

export function toServiceRequest(
  orc: Segment | undefined,
  obr: Segment | undefined,
  sequence: number,
  context: MappingContext,
  subject: Reference<Patient>,
): ServiceRequest {
  const tz = context.profile.timeZone ?? 'UTC';
  const numbers = orderNumbers(orc, obr, context);
  const request: ServiceRequest = {
    resourceType: 'ServiceRequest',
    identifier: [numbers.placer, numbers.filler].filter((i): i is Identifier => i !== undefined),
    status: orderStatus(orc),
    intent: 'order',
    subject,
  };
  const code = cweToCodeableConcept(repetitions(obr, 4)[0]);
  if (code) request.code = code;
  const authored = dtmToDateTime(value(orc, 9), tz, { segment: 'ORC', sequence, field: 9 });
  if (authored) request.authoredOn = authored;
  const requester = xcnToReference(repetitions(orc, 12)[0] ?? repetitions(obr, 16)[0], context.profile);
  if (requester) request.requester = requester;
  const priority = value(obr, 5) ?? value(orc, 7, 6);
  if (priority === 'S') request.priority = 'stat';
  else if (priority === 'A') request.priority = 'asap';
  else if (priority === 'R') request.priority = 'routine';
  const occurrence = dtmToDateTime(value(obr, 7), tz, { segment: 'OBR', sequence, field: 7 });
  if (occurrence) request.occurrenceDateTime = occurrence;
  const reasons = repetitions(obr, 31)
    .map((rep) => cweToCodeableConcept(rep))
    .filter((c) => c !== undefined);
  if (reasons.length > 0) request.reasonCode = reasons;
  return request;
}

export function obrToDiagnosticReport(
  obr: Segment,
  orc: Segment | undefined,
  sequence: number,
  context: MappingContext,
  subject: Reference<Patient>,
): DiagnosticReport {
  const at = (field: number): Location => ({ segment: 'OBR', sequence, field });
  const tz = context.profile.timeZone ?? 'UTC';
  const code = cweToCodeableConcept(repetitions(obr, 4)[0]);
  if (!code) throw required('OBR-4 (universal service identifier)', at(4));
  const numbers = orderNumbers(orc, obr, context);
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    identifier: [numbers.filler, numbers.placer].filter((i): i is Identifier => i !== undefined),
    status: RESULT_STATUS[value(obr, 25) ?? ''] ?? 'unknown',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: value(obr, 24) ?? 'LAB' }] }],
    code,
    subject,
  };
  const effective = dtmToDateTime(value(obr, 7), tz, at(7));
  if (effective) report.effectiveDateTime = effective;
  const issued = asInstant(dtmToDateTime(value(obr, 22), tz, at(22)));
  if (issued) report.issued = issued;
  const interpreter = repetitions(obr, 32)
    .map((rep) => xcnToReference(rep, context.profile))
    .filter((r) => r !== undefined);
  if (interpreter.length > 0) report.resultsInterpreter = interpreter;
  return report;
}

/** The DiagnosticReport's condition: filler number first (the lab's report), else placer. */
export function reportQuery(numbers: OrderNumbers, at: Location): string {
  return orderQuery({ ...(numbers.filler && { placer: numbers.filler }), ...(numbers.placer && { filler: numbers.placer }) }, at);
}
