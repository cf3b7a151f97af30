/**
 * Batches (https://hl7.org/fhir/R4/http.html#transaction): each entry on its own, as a transaction of one, so
 * one failing entry (its status and OperationOutcome in the response) leaves the others untouched. Entries
 * run one after the other in the transaction processing order (DELETE, POST, PUT/PATCH, GET/HEAD; Bundle order
 * within each), as http.html#brules says servers are considered to; the results keep the Bundle order.
 */
import { FhirError } from '../errors/fhir-error.ts';
import type { CallerServices } from '../services.ts';
import type { EntryRequest } from './entry-request.ts';
import { ORDER, applyTransaction, type EntryResult, type TransactionOptions } from './transaction.ts';

/** `requests[i]` is the parsed entry i, or the error that made it unreadable. */
export async function applyBatch(
  services: CallerServices,
  requests: (EntryRequest | FhirError)[],
  options: TransactionOptions,
): Promise<EntryResult[]> {
  const results = new Array<EntryResult>(requests.length);
  const rank = (r: EntryRequest | FhirError) => (r instanceof FhirError ? -1 : ORDER[r.method]);
  const order = requests.map((_, i) => i).sort((a, b) => rank(requests[a]) - rank(requests[b]) || a - b);
  for (const i of order) results[i] = await applyOne(services, requests[i], options);
  return results;
}

async function applyOne(services: CallerServices, request: EntryRequest | FhirError, options: TransactionOptions): Promise<EntryResult> {
  if (request instanceof FhirError) return { error: request };
  try {
    const [result] = await applyTransaction(services, [request], options);
    return result;
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    return { error: err };
  }
}
