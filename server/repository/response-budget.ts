/**
 * The bound on the size of one response (config.ts `maxResponseBytes`, MAX_RESPONSE_BYTES). A search page, and
 * even more a batch of searches, can hold far more than the request suggests: a 5.7 KB batch of 100
 * `GET Patient?_count=1000` entries over large Patients would build gigabytes. Each resource text going into a
 * response is charged to the request's budget as it is added (server/store/documents.ts keeps it as text, so its
 * size is known before it is parsed), and the first one past the bound answers `too-costly` instead of building
 * the rest.
 *
 * One budget per request, made by its handler and passed down (a batch's entries share it). Not held in async
 * context storage: on Node 20 that turns on promise hooks for every request, ~15% of a read's CPU.
 */
import { tooCostly, type FhirError } from '../errors/fhir-error.ts';

export class ResponseBudget {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  /** Counts `text` (a resource about to be added to the response); throws past the bound. */
  charge(text: string): void {
    const error = this.tryCharge(text);
    if (error) throw error;
  }

  /** As charge, returning the error instead of throwing it (a batch entry answers it as its own). */
  tryCharge(text: string): FhirError | undefined {
    const bytes = text.length === 0 ? 0 : Buffer.byteLength(text, 'utf8');
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
