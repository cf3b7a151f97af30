/**
 * Rewrites the references of a transaction's resources (https://hl7.org/fhir/R4/bundle.html#references,
 * http.html#trules): every `reference` that names another entry's `fullUrl` (`urn:uuid:`, `urn:oid:` or an
 * absolute URL) becomes that entry's `Type/id`, and every conditional reference (`Patient?identifier=...`)
 * becomes the one resource it matches. The walk covers the whole resource, contained resources and
 * extensions included. Pure: conditional references are resolved beforehand by the caller.
 */
import { badRequest } from '../fhir/outcome.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';

/** `fullUrl` or conditional reference -> `Type/id`. */
export type ReferenceMap = ReadonlyMap<string, string>;

/** Placeholders that must be found in the Bundle (a `urn:` the transaction does not define is an error). */
export function isPlaceholder(reference: string): boolean {
  return reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:');
}

/** `Patient?identifier=x` (a type, then `?`): http.html#trules, "conditional references". */
export function isConditionalReference(reference: string): boolean {
  return /^[A-Z][A-Za-z]+\?/.test(reference);
}

/** Every `reference` string in a resource, in document order. */
export function referencesOf(value: JsonValue, out: string[] = []): string[] {
  // Reads only: no copy of the resource (rewriteReferences builds the copy once, afterwards).
  if (Array.isArray(value)) {
    for (const v of value) referencesOf(v, out);
  } else if (isJsonObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'reference' && typeof v === 'string') out.push(v);
      else referencesOf(v, out);
    }
  }
  return out;
}

/**
 * A copy of `resource` with its references rewritten through `map`. A placeholder missing from `map` is 400,
 * named by its path (`expression` is the entry's, e.g. `Bundle.entry[2].resource`).
 */
export function rewriteReferences(resource: JsonObject, map: ReferenceMap, expression: string): JsonObject {
  return walk(resource, (ref, path) => {
    const target = map.get(ref);
    if (target !== undefined) return target;
    if (isPlaceholder(ref) || isConditionalReference(ref)) {
      throw badRequest(`${expression}${path}.reference '${ref}' does not resolve to a resource of this transaction`, `${expression}${path}.reference`);
    }
    return ref;
  }) as JsonObject;
}

/** Rebuilds `value`, replacing each `reference` string (in any object) by what `replace` answers. */
function walk(value: JsonValue, replace: (reference: string, path: string) => string, path = ''): JsonValue {
  if (Array.isArray(value)) return value.map((v, i) => walk(v, replace, `${path}[${i}]`));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === 'reference' && typeof v === 'string' ? replace(v, path) : walk(v, replace, `${path}.${key}`);
  }
  return out;
}
