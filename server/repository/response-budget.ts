/**
 * The bound on the size of one response (config.ts `maxResponseBytes`, MAX_RESPONSE_BYTES). A search page, and
 * even more a batch of searches, can hold far more than the request suggests: a 5.7 KB batch of 100
 * `GET Patient?_count=1000` entries over large Patients would build gigabytes. Each resource text going into a
 * response is charged here as it is added (server/store/documents.ts keeps it as text, so its size is known
 * before it is parsed), and the first one past the bound answers `too-costly` instead of building the rest.
 *
 * The budget is per request, held in async context storage so that the handlers deep inside a batch charge
 * the one of their request without it being passed through every layer.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { tooCostly, type FhirError } from '../errors/fhir-error.ts';

class ResponseBudget {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  /** The error once `bytes` more would go past the bound, else undefined (and the bytes are counted). */
  charge(bytes: number): FhirError | undefined {
    if (this.used + bytes > this.maxBytes) {
      this.used = this.maxBytes + 1; // spent: every later charge fails at once, before any costly work
      return tooCostly(
        `The response would be larger than ${this.maxBytes} bytes (MAX_RESPONSE_BYTES): ask for fewer resources (_count, _elements, _summary, fewer batch entries)`,
      );
    }
    this.used += bytes;
    return undefined;
  }
}

const budgets = new AsyncLocalStorage<ResponseBudget>();

/** Runs `fn` (a request's handling) with a response budget of `maxBytes`. */
export function withResponseBudget<T>(maxBytes: number, fn: () => Promise<T>): Promise<T> {
  return budgets.run(new ResponseBudget(maxBytes), fn);
}

/** Counts `text` (a resource about to be added to the response) against the request's budget; throws past it. */
export function chargeResponse(text: string): void {
  const error = tryChargeResponse(text);
  if (error) throw error;
}

/** As chargeResponse, returning the error instead of throwing it (a batch entry answers it as its own). */
export function tryChargeResponse(text: string): FhirError | undefined {
  return budgets.getStore()?.charge(Buffer.byteLength(text, 'utf8'));
}
