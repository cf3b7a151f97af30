/**
 * IN1 -> Coverage (IG ConceptMap segment-in1-to-coverage): IN1-36 policy number the identifier (else a derived
 * key of patient and plan), IN1-3/IN1-4 the payor (a logical reference: the message does not own the payer
 * directory), IN1-8 group, IN1-12/13 period, IN1-17 relationship.
 */
import type { Coverage, Patient, Reference } from '@medplum/fhirtypes';
import { component, repetitions, value, type Location } from '../access.ts';
import type { MappingContext } from '../context.ts';
import { derivedIdentifier } from '../entries.ts';
import type { Segment } from '../../message.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { dtToDate } from '../datatypes/dtm.ts';
import { tableSystem } from '../datatypes/hd.ts';

/** Table 0063 -> subscriber-relationship (IG table-hl70063-to-subscriber-relationship, the common codes). */
const RELATIONSHIP: Record<string, string> = {
  SEL: 'self',
  SPO: 'spouse',
  DOM: 'common',
  CHD: 'child',
  PAR: 'parent',
  EME: 'other',
  OTH: 'other',
};

/**
 * Undefined without IN1-3 and IN1-4: R4 Coverage.payor is required (1..*) and the message names no payer, so
 * that IN1 is left out rather than the whole message refused.
 */
export function in1ToCoverage(
  in1: Segment,
  sequence: number,
  context: MappingContext,
  beneficiary: Reference<Patient>,
  patientKey: string,
): Coverage | undefined {
  const at = (field: number): Location => ({ segment: 'IN1', sequence, field });
  const companyId = repetitions(in1, 3)[0] && cxToIdentifier(repetitions(in1, 3)[0], context.profile, at(3));
  const companyName = value(in1, 4);
  if (!companyId && companyName === undefined) return undefined;
  const plan = value(in1, 2);
  const policy = value(in1, 36);
  const policySystem = tableSystem(context.profile, companyId?.value) ?? companyId?.system;
  const coverage: Coverage = {
    resourceType: 'Coverage',
    identifier: [
      policy !== undefined && policySystem
        ? { system: policySystem, value: policy }
        : derivedIdentifier(patientKey, 'IN1', companyId?.value ?? companyName, plan, policy),
    ],
    status: 'active',
    beneficiary,
    payor: [{ ...(companyId && { identifier: companyId }), ...(companyName !== undefined && { display: companyName }) }],
  };
  if (policy !== undefined) coverage.subscriberId = policy;
  const group = value(in1, 8);
  if (group !== undefined) {
    coverage.class = [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'group' }] },
        value: group,
        ...(value(in1, 9) && { name: value(in1, 9) }),
      },
    ];
  }
  const start = dtToDate(value(in1, 12), at(12));
  const end = dtToDate(value(in1, 13), at(13));
  if (start || end) coverage.period = { ...(start && { start }), ...(end && { end }) };
  const rel = RELATIONSHIP[component(repetitions(in1, 17)[0], 1) ?? ''];
  if (rel) coverage.relationship = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: rel }] };
  return coverage;
}
