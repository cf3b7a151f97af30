/**
 * OperationOutcome helpers and the error type every handler throws; the error middleware turns it into the
 * HTTP answer (https://hl7.org/fhir/R4/operationoutcome.html, issue types from http://hl7.org/fhir/issue-type).
 */
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueType = OperationOutcomeIssue['code'];

export function outcome(
  severity: OperationOutcomeIssue['severity'],
  code: IssueType,
  diagnostics: string,
  expression?: string,
): OperationOutcome {
  const issue: OperationOutcomeIssue = { severity, code, diagnostics };
  if (expression) issue.expression = [expression];
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

export function allOk(diagnostics: string): OperationOutcome {
  return outcome('information', 'informational', diagnostics);
}

/** An error with the HTTP status and OperationOutcome that answer it. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly outcome: OperationOutcome,
  ) {
    super(outcome.issue?.[0]?.diagnostics ?? `HTTP ${status}`);
    this.name = 'FhirError';
  }

  static of(status: number, code: IssueType, diagnostics: string, expression?: string): FhirError {
    return new FhirError(status, outcome(status >= 500 ? 'fatal' : 'error', code, diagnostics, expression));
  }
}

export const badRequest = (diagnostics: string, expression?: string) => FhirError.of(400, 'invalid', diagnostics, expression);
export const notFound = (diagnostics: string) => FhirError.of(404, 'not-found', diagnostics);
export const gone = (diagnostics: string) => FhirError.of(410, 'deleted', diagnostics);
export const conflict = (diagnostics: string) => FhirError.of(409, 'conflict', diagnostics);
export const preconditionFailed = (diagnostics: string) => FhirError.of(412, 'conflict', diagnostics);
export const notSupported = (status: number, diagnostics: string) => FhirError.of(status, 'not-supported', diagnostics);
