/**
 * Rewrites the references of a transaction's resources (https://hl7.org/fhir/R4/bundle.html#references,
 * http.html#trules): every `reference` that names another entry's `fullUrl` (`urn:uuid:`, `urn:oid:` or an
 * absolute URL) becomes that entry's `Type/id`, and every conditional reference (`Patient?identifier=...`)
 * becomes the one resource it matches. The walk covers the whole resource, contained resources and
 * extensions included. Pure: conditional references are resolved beforehand by the caller.
 */
import { badRequest } from '../errors/fhir-error.ts';
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
  const rewritten = walk(resource, [], (ref, path) => {
    const target = map.get(ref);
    if (target !== undefined) return target;
    if (isPlaceholder(ref) || isConditionalReference(ref)) {
      const at = `${expression}${pathText(path)}.reference`;
      throw badRequest(`${at} '${ref}' does not resolve to a resource of this transaction`, at);
    }
    return ref;
  }) as JsonObject;
  // The top level is always a copy: the caller may set its id; deeper parts are shared where nothing changed.
  return rewritten === resource ? { ...resource } : rewritten;
}

type Path = (string | number)[];

/**
 * `value` with each `reference` string (in any object) replaced by what `replace` answers. Arrays and objects
 * holding no changed reference are returned as they are, so a resource is copied only along its references;
 * `path` (keys and indexes from the root to the object holding the reference) is turned into text only for an
 * error, while `replace` runs.
 */
function walk(value: JsonValue, path: Path, replace: (reference: string, path: Path) => string): JsonValue {
  if (Array.isArray(value)) {
    let out: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const v = walk(value[i], path, replace);
      path.pop();
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (!isJsonObject(value)) return value;
  let out: JsonObject | undefined;
  for (const key in value) {
    const v = value[key];
    let next: JsonValue;
    if (key === 'reference' && typeof v === 'string') next = replace(v, path);
    else {
      path.push(key);
      next = walk(v, path, replace);
      path.pop();
    }
    if (next !== v) (out ??= { ...value })[key] = next;
  }
  return out ?? value;
}

/** `['contained', 0, 'subject']` -> `.contained[0].subject`. */
function pathText(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}
