/**
 * The `transaction-response` / `batch-response` Bundle (https://hl7.org/fhir/R4/bundle.html#transaction-response):
 * one entry per request entry, in the same order, each with `response.status`, and `location`, `etag` and
 * `lastModified` for a version written or read. As HAPI, written resources are included only when the
 * client asks for them (`Prefer: return=representation`); reads always include what they read.
 */
import { STATUS_CODES } from 'node:http';
import type { Bundle, BundleEntry, BundleEntryResponse, Resource } from '@medplum/fhirtypes';
import { parseFhirJson } from '../fhir-json/fhir-json.ts';
import { allOk } from '../errors/outcome.ts';
import type { EntryRequest } from '../bundle/entry-request.ts';
import type { EntryResult } from '../bundle/transaction.ts';
import { httpStatus } from '../http/status.ts';
import type { ResponseBudget } from '../repository/response-budget.ts';

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

export function responseBundle(
  type: 'transaction-response' | 'batch-response',
  results: EntryResult[],
  requests: (EntryRequest | undefined)[],
  baseUrl: string,
  prefer: ReturnPreference,
  budget: ResponseBudget,
): Bundle {
  return { resourceType: 'Bundle', type, entry: results.map((r, i) => responseEntry(r, requests[i], baseUrl, prefer, budget)) };
}

function responseEntry(
  result: EntryResult,
  request: EntryRequest | undefined,
  baseUrl: string,
  prefer: ReturnPreference,
  budget: ResponseBudget,
): BundleEntry {
  const response: BundleEntryResponse = { status: statusLine(result.error ? httpStatus(result.error.kind) : (result.status ?? 200)) };
  const entry: BundleEntry = { response };
  const { doc } = result;
  const isRead = request?.method === 'GET' || request?.method === 'HEAD';
  if (doc) {
    const path = `${doc.resourceType}/${doc.id}`;
    if (!isRead) response.location = `${path}/_history/${doc.versionId}`;
    response.etag = `W/"${doc.versionId}"`;
    response.lastModified = doc.lastUpdated;
    const include = isRead ? request?.method === 'GET' && result.status === 200 : prefer === 'representation';
    const overBudget = include && doc.content ? budget.tryCharge(doc.content) : undefined;
    if (overBudget) {
      // MAX_RESPONSE_BYTES: a read answers too-costly; a write (done) keeps its status and says why its resource is left out.
      if (isRead) response.status = statusLine(httpStatus(overBudget.kind));
      response.outcome = overBudget.outcome;
    } else if (include && doc.content) {
      entry.fullUrl = `${baseUrl}/${path}`;
      entry.resource = parseFhirJson(doc.content) as unknown as Resource;
    }
  }
  if (result.resource && request?.method === 'GET') entry.resource = result.resource as unknown as Resource;
  if (result.error) response.outcome = result.error.outcome;
  else if (prefer === 'OperationOutcome' && !isRead) response.outcome = allOk(`${request?.method} ${request?.url}: ${response.status}`);
  return entry;
}

/** `Bundle.entry.response.status`: the code and its reason phrase, `201 Created`. */
function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}
