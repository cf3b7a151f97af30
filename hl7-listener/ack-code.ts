/**
 * Why a message was not applied -> what its ACK says: AE (application error: the sender may retry or fix the
 * data) or AR (application reject: resending the same will never work), and the HL7 table 0357 code of its ERR
 * segment (v2.5 chapter 2.15.5.3, https://terminology.hl7.org/CodeSystem-v2-0357.html). The one place that
 * decides it for mapping errors and for FhirError kinds (server/errors/fhir-error.ts).
 */
import { FhirError, type ErrorKind } from '../server/engine/index.ts';
import type { AckError, AckOutcome } from './ack.ts';
import { MappingError } from './mapping/errors.ts';

export interface AckFailure {
  outcome: Exclude<AckOutcome, 'accept'>;
  error: AckError;
}

/** 0357: 204 unknown key identifier, 205 duplicate key identifier, 207 application internal error. */
const BY_KIND: Partial<Record<ErrorKind, Pick<AckFailure, 'outcome'> & { code: string }>> = {
  'not-found': { outcome: 'error', code: '204' }, // an order to change that was never received
  gone: { outcome: 'error', code: '204' },
  conflict: { outcome: 'error', code: '207' }, // a concurrent write: the sender's retry applies it
  'too-large': { outcome: 'reject', code: '207' },
  'too-costly': { outcome: 'reject', code: '207' },
  'not-supported': { outcome: 'reject', code: '207' },
  'not-implemented': { outcome: 'reject', code: '207' },
};

/** OperationOutcome issue types that name a 0357 condition more precisely than 207. */
const BY_ISSUE: Record<string, string> = { required: '101', value: '102', 'code-invalid': '103', 'multiple-matches': '205' };

export function ackFailure(e: unknown): AckFailure {
  if (e instanceof MappingError) {
    return {
      outcome: e.kind === 'unsupported' ? 'reject' : 'error',
      error: { code: e.code, text: e.message, ...(e.location && { location: e.location }) },
    };
  }
  if (!(e instanceof FhirError))
    return { outcome: 'error', error: { code: '207', text: `application internal error${e instanceof Error ? ` (${e.name})` : ''}` } };
  const issue = e.outcome.issue?.[0]?.code;
  const byKind = BY_KIND[e.kind];
  const code = byKind?.code === '207' || !byKind ? (issue !== undefined && BY_ISSUE[issue]) || byKind?.code || '207' : byKind.code;
  return { outcome: byKind?.outcome ?? 'error', error: { code, text: e.message } };
}
