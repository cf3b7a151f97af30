/**
 * What the loader sends for each input, as Bundle entries (https://hl7.org/fhir/R4/http.html#transaction). Pure.
 *
 * - A `transaction` or `batch` Bundle is sent as it is.
 * - Any other Bundle whose entries are resources to store (`collection`, `searchset`, `history`) and a single
 *   resource are wrapped into a `transaction`; `document` and `message` Bundles are stored whole, as one Bundle
 *   resource (their meaning depends on staying together: bundle.html#document).
 * - Each wrapped resource becomes `PUT Type/id` when it has an id, `POST Type` when it has none. PUT keeps the
 *   ids, so references between files (`Patient/123` in an Observation file) stay valid, and loading the same
 *   data twice updates rather than duplicates (a failed run can simply be run again); POST would give every
 *   resource a new id and break those references. An entry's `fullUrl` is kept, so `urn:uuid:` references
 *   inside a collection are rewritten by the transaction as usual.
 */
import { isJsonObject, stringifyFhirJson, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';

export interface WrappedEntry {
  /** The resource type, for the summary. */
  type: string;
  /** The entry's JSON text. */
  json: string;
}

/** Bundle types whose entries are stored one by one; the others (document, message) are stored whole. */
const UNPACKED = new Set(['collection', 'searchset', 'history']);

/** Bundle.entry.request for storing `resource`: PUT with its id, else POST. */
export function requestFor(resource: { resourceType: string; id?: unknown }): { method: 'PUT' | 'POST'; url: string } {
  return typeof resource.id === 'string' && resource.id !== ''
    ? { method: 'PUT', url: `${resource.resourceType}/${resource.id}` }
    : { method: 'POST', url: resource.resourceType };
}

/**
 * One transaction entry around a resource given as JSON text (an NDJSON line): the text is embedded verbatim, so
 * decimals keep their precision (datatypes.html#decimal). Throws when the text is not a JSON resource.
 */
export function entryOfResourceText(text: string): WrappedEntry {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
  const { resourceType, id } = parsed as { resourceType?: unknown; id?: unknown };
  if (typeof resourceType !== 'string' || resourceType === '') throw new Error('no resourceType');
  const request = requestFor({ resourceType, id });
  return { type: resourceType, json: `{"resource":${text},"request":${JSON.stringify(request)}}` };
}

/** A transaction Bundle's JSON text from its entries' texts. */
export function transactionText(entries: readonly WrappedEntry[]): string {
  return `{"resourceType":"Bundle","type":"transaction","entry":[${entries.map((e) => e.json).join(',')}]}`;
}

/** What to send for a parsed `.json` file: the Bundle and the type of each entry (for the summary). */
export interface Sendable {
  bundleType: 'transaction' | 'batch';
  body: string;
  /** Resource type of each entry of `body`, in order (the URL's type for entries without a resource). */
  types: string[];
  /** How the input was sent, for messages: `as-is` or `wrapped`. */
  how: 'as-is' | 'wrapped';
}

/** What a `.json` file's content becomes; throws with a message when it is not a resource. */
export function sendableOf(value: JsonValue, originalText: string): Sendable {
  if (!isJsonObject(value) || typeof value.resourceType !== 'string') throw new Error('not a FHIR resource (no resourceType)');
  if (value.resourceType === 'Bundle' && (value.type === 'transaction' || value.type === 'batch')) {
    const entries = Array.isArray(value.entry) ? value.entry : [];
    return { bundleType: value.type, body: originalText, types: entries.map(entryType), how: 'as-is' };
  }
  const resources =
    value.resourceType === 'Bundle' && UNPACKED.has(String(value.type))
      ? (Array.isArray(value.entry) ? value.entry : []).filter(isJsonObject).filter((e) => isJsonObject(e.resource))
      : [{ resource: value } as JsonObject];
  const wrapped = resources.map((entry): WrappedEntry => {
    const resource = entry.resource as JsonObject;
    const out: JsonObject = {};
    if (typeof entry.fullUrl === 'string') out.fullUrl = entry.fullUrl;
    out.resource = resource;
    out.request = requestFor(resource as { resourceType: string; id?: unknown });
    return { type: String(resource.resourceType), json: stringifyFhirJson(out) };
  });
  return { bundleType: 'transaction', body: transactionText(wrapped), types: wrapped.map((w) => w.type), how: 'wrapped' };
}

/** The resource type an entry of a transaction or batch writes or reads. */
function entryType(entry: JsonValue): string {
  if (!isJsonObject(entry)) return 'unknown';
  if (isJsonObject(entry.resource) && typeof entry.resource.resourceType === 'string') return entry.resource.resourceType;
  const url = isJsonObject(entry.request) && typeof entry.request.url === 'string' ? entry.request.url : '';
  return /^(?:https?:\/\/[^?]*\/)?([A-Z][A-Za-z]+)/.exec(url.replace(/^\/+/, ''))?.[1] ?? 'unknown';
}
