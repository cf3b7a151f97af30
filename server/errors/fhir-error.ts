/**
 * The error every layer throws: what went wrong (its kind) and the OperationOutcome that says so. It knows no
 * transport: `server/http/status.ts` maps a kind to an HTTP status (REST answers, Bundle entry responses) and
 * `hl7-listener/ack-code.ts` to an HL7 acknowledgment code.
 */
import type { OperationOutcome } from '@medplum/fhirtypes';
import { outcome, type IssueType } from './outcome.ts';

export type ErrorKind =
  /** The request or its content is malformed or breaks a rule of the specification. */
  | 'invalid'
  /** No valid credentials came with the request. */
  | 'unauthorized'
  /** The caller is known but may not do this. */
  | 'forbidden'
  | 'not-found'
  /** The resource existed and was deleted. */
  | 'gone'
  /** A concurrent change won (a lost compare-and-swap, a claim taken). */
  | 'conflict'
  /** A condition of the request does not hold (If-Match, several conditional matches). */
  | 'precondition-failed'
  /** Valid content that a profile or business rule refuses. */
  | 'unprocessable'
  /** Answering would cost more than the server allows (a documented limit). */
  | 'too-costly'
  /** The request is larger than the server accepts. */
  | 'too-large'
  /** A feature the server does not implement (a parameter, modifier, operation, format). */
  | 'not-supported'
  /** The URL exists but not with this method. */
  | 'method-not-allowed'
  /** The method is not implemented at all. */
  | 'not-implemented'
  /** The client asks for a representation the server cannot give (Accept, _format). */
  | 'not-acceptable'
  /** The body is in a format the server does not read. */
  | 'unsupported-media-type'
  /** A failure of the server itself. */
  | 'exception';

export class FhirError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly outcome: OperationOutcome,
  ) {
    super(outcome.issue?.[0]?.diagnostics ?? kind);
    this.name = 'FhirError';
  }

  static of(kind: ErrorKind, code: IssueType, diagnostics: string, expression?: string): FhirError {
    return new FhirError(kind, outcome(kind === 'exception' ? 'fatal' : 'error', code, diagnostics, expression));
  }
}

export const badRequest = (diagnostics: string, expression?: string) => FhirError.of('invalid', 'invalid', diagnostics, expression);
export const notFound = (diagnostics: string, expression?: string) => FhirError.of('not-found', 'not-found', diagnostics, expression);
export const gone = (diagnostics: string) => FhirError.of('gone', 'deleted', diagnostics);
export const conflict = (diagnostics: string) => FhirError.of('conflict', 'conflict', diagnostics);
export const preconditionFailed = (diagnostics: string) => FhirError.of('precondition-failed', 'conflict', diagnostics);
export const tooCostly = (diagnostics: string, expression?: string) => FhirError.of('too-costly', 'too-costly', diagnostics, expression);
export const tooLarge = (diagnostics: string, expression?: string) => FhirError.of('too-large', 'too-costly', diagnostics, expression);
export const notSupported = (diagnostics: string, expression?: string) =>
  FhirError.of('not-supported', 'not-supported', diagnostics, expression);
export const unauthorized = (diagnostics: string) => FhirError.of('unauthorized', 'login', diagnostics);
export const forbidden = (diagnostics: string) => FhirError.of('forbidden', 'forbidden', diagnostics);
