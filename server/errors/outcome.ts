/**
 * OperationOutcome builders (https://hl7.org/fhir/R4/operationoutcome.html, issue types from
 * http://hl7.org/fhir/issue-type). Transport-neutral: REST answers them, HL7 ACKs word them, Bundles embed them.
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
