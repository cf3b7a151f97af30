/**
 * Batches (https://hl7.org/fhir/R4/http.html#transaction): each entry on its own, as a transaction of one, so
 * one failing entry (its status and OperationOutcome in the response) leaves the others untouched. Entries
 * run one after the other, in the spec's order for transactions (DELETE, POST, PUT/PATCH, GET/HEAD).
 */
import { FhirError } from '../errors/fhir-error.ts';
import type { Services } from '../services.ts';
import type { EntryRequest } from './entry-request.ts';
import { applyTransaction, type EntryResult, type TransactionOptions } from './transaction.ts';

/** `requests[i]` is the parsed entry i, or the error that made it unreadable. */
export async function applyBatch(
  services: Services,
  requests: (EntryRequest | FhirError)[],
  options: TransactionOptions,
): Promise<EntryResult[]> {
  const results: EntryResult[] = [];
  for (const request of requests) results.push(await applyOne(services, request, options));
  return results;
}

async function applyOne(services: Services, request: EntryRequest | FhirError, options: TransactionOptions): Promise<EntryResult> {
  if (request instanceof FhirError) return { error: request };
  try {
    const [result] = await applyTransaction(services, [request], options);
    return result;
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    return { error: err };
  }
}
