/**
 * The one shape of a validation issue (https://hl7.org/fhir/R4/operationoutcome.html): severity `error`, an
 * issue-type code, plain diagnostics and one FHIRPath expression; and the bound on how many one answer lists.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';

export type Issue = OperationOutcomeIssue & { severity: 'error'; diagnostics: string; expression: [string] };

export function issue(code: Issue['code'], diagnostics: string, expression: string): Issue {
  return { severity: 'error', code, diagnostics, expression: [expression] };
}

/**
 * Most issues one validation reports: past it, a resource with 100,000 faults would cost as much to word and
 * to send as to find, so the steps stop collecting and a last issue says that more were left out.
 */
export const MAX_ISSUES = 100;

/** True once `issues` holds more than one answer lists: the step collecting them stops there. */
export function isFull(issues: readonly Issue[]): boolean {
  return issues.length > MAX_ISSUES;
}

/**
 * At most MAX_ISSUES issues: past it, the first MAX_ISSUES - 1 and a last one saying more were left out (at
 * the place of the first one left out).
 */
export function bounded(issues: Issue[]): Issue[] {
  if (issues.length <= MAX_ISSUES) return issues;
  const kept = issues.slice(0, MAX_ISSUES - 1);
  const next = issues[MAX_ISSUES - 1];
  kept.push(issue('too-costly', `More issues were found and left out: at most ${MAX_ISSUES} are reported`, next.expression[0]));
  return kept;
}
