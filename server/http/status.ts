/**
 * The one mapping from an error's kind to its HTTP status (https://hl7.org/fhir/R4/http.html), for REST answers
 * and for the `response.status` of batch and transaction entries.
 */
import type { ErrorKind } from '../errors/fhir-error.ts';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'not-acceptable': 406,
  conflict: 409,
  gone: 410,
  'precondition-failed': 412,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'too-costly': 400,
  'not-supported': 400,
  'not-implemented': 501,
  exception: 500,
};

export function httpStatus(kind: ErrorKind): number {
  return STATUS[kind];
}
