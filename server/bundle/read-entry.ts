/**
 * The GET and HEAD entries of a batch or transaction (https://hl7.org/fhir/R4/http.html#transaction): read,
 * vread and search, with `ifNoneMatch` / `ifModifiedSince`. A failed read is that entry's result (status and
 * OperationOutcome); reads change nothing, so they never undo a transaction's writes.
 */
import { FhirError } from '../errors/fhir-error.ts';
import { searchBundle } from '../search/search-bundle.ts';
import type { CallerServices } from '../services.ts';
import type { JsonObject } from '../fhir-json/fhir-json.ts';
import { notModified } from '../repository/not-modified.ts';
import { readResource, readVersion } from '../repository/read-path.ts';
import type { ResponseBudget } from '../repository/response-budget.ts';
import type { EntryRequest } from './entry-request.ts';
import type { EntryResult } from './transaction.ts';

export async function readEntry(services: CallerServices, request: EntryRequest, budget: ResponseBudget): Promise<EntryResult> {
  try {
    return await read(services, request, budget);
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    return { error: err };
  }
}

async function read(services: CallerServices, request: EntryRequest, budget: ResponseBudget): Promise<EntryResult> {
  const { store, access } = services;
  const { type, id, versionId } = request;
  if (id === undefined) {
    const pairs = [...new URLSearchParams(request.query ?? '')];
    const bundle = await searchBundle(services, { path: type, types: [type], pairs }, false, budget);
    return { status: 200, resource: bundle as unknown as JsonObject };
  }
  if (versionId !== undefined) return { status: 200, doc: await readVersion(store, access, type, id, versionId) };
  const doc = await readResource(store, access, type, id);
  if (notModified(request.ifNoneMatch, request.ifModifiedSince, doc.versionId, doc.lastUpdated)) return { status: 304, doc };
  return { status: 200, doc };
}
