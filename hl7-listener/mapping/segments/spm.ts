/**
 * SPM -> Specimen (IG ConceptMap segment-spm-to-specimen): SPM-2 identifiers (EIP: placer & filler
 * subcomponents), SPM-4 type, SPM-8 collection site, SPM-17 collection time, SPM-18 received time. Identity:
 * SPM-2 when it has a known system, else the order's key + SPM-1.
 */
import type { Identifier, Patient, Reference, Specimen } from '@medplum/fhirtypes';
import { repetitions, subRepetition, value, type Location } from '../access.ts';
import type { MappingContext } from '../context.ts';
import type { Segment } from '../../message.ts';
import { v2Table } from '../vocabulary.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { asInstant, dtmToDateTime } from '../datatypes/dtm.ts';
import { eiToIdentifier } from '../datatypes/ei.ts';

export function spmToSpecimen(spm: Segment, sequence: number, context: MappingContext, subject: Reference<Patient>): Specimen {
  const at = (field: number): Location => ({ segment: 'SPM', sequence, field });
  const tz = context.profile.timeZone ?? 'UTC';
  const eip = repetitions(spm, 2)[0];
  const identifier = [
    eiToIdentifier(subRepetition(eip, 1), context.profile, 'PLAC'),
    eiToIdentifier(subRepetition(eip, 2), context.profile, 'FILL'),
  ].filter((i): i is Identifier => i !== undefined);
  const specimen: Specimen = { resourceType: 'Specimen', subject };
  if (identifier.length > 0) specimen.identifier = identifier;
  const type = cweToCodeableConcept(repetitions(spm, 4)[0], v2Table('0487'));
  if (type) specimen.type = type;
  const collected = dtmToDateTime(value(spm, 17), tz, at(17));
  const bodySite = cweToCodeableConcept(repetitions(spm, 8)[0]);
  if (collected || bodySite) specimen.collection = { ...(collected && { collectedDateTime: collected }), ...(bodySite && { bodySite }) };
  const received = asInstant(dtmToDateTime(value(spm, 18), tz, at(18)));
  if (received) specimen.receivedTime = received;
  return specimen;
}
