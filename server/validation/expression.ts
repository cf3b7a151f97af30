/**
 * Locations in a resource, turned into the FHIRPath expressions that
 * OperationOutcome.issue.expression carries.
 *
 * A location is the list of JSON property names and array indexes leading
 * from the resource root to the offending value, exactly as they appear in
 * the JSON. `toFhirPath` renders it the way FHIRPath names elements:
 * - array indexes as `[n]`: `/name/0/given/1` -> `Patient.name[0].given[1]`;
 * - choice elements by their element name and type:
 *   `valueQuantity` -> `Observation.value.ofType(Quantity)`;
 * - the `_x` sibling holding a primitive's id/extensions as the primitive
 *   itself: `/_birthDate/extension/0` -> `Patient.birthDate.extension[0]`;
 * - unknown properties as they are: `/foo` -> `Patient.foo`.
 */
import { tryGetDataType } from '@medplum/core';
import { isJsonObject } from '../fhir-json/fhir-json.ts';
import { isResourceType } from './definitions.ts';

export type PathSegment = string | number;

type JsonObject = Record<string, unknown>;

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

interface ChoiceMatch {
  /** Element name without `[x]`, e.g. `value`. */
  name: string;
  /** The FHIR type code the JSON name selects, e.g. `Quantity` or `dateTime`. */
  code: string;
}

/** `valueQuantity` on a type with `value[x]` allowing Quantity -> { name: 'value', code: 'Quantity' }. */
function choiceOf(type: string | undefined, key: string): ChoiceMatch | undefined {
  const schema = type ? tryGetDataType(type) : undefined;
  if (!schema) {
    return undefined;
  }
  for (let i = 1; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    if (ch < 65 || ch > 90) {
      continue; // choice suffixes start with a capital letter
    }
    const name = key.slice(0, i);
    const element = schema.elements[name + '[x]'];
    if (element) {
      const suffix = key.slice(i);
      const match = element.type.find((t) => capitalize(t.code) === suffix);
      return match ? { name, code: match.code } : undefined;
    }
  }
  return undefined;
}

/** The type of the values of `name` on `type`, when there is exactly one. */
function elementType(type: string | undefined, name: string): string | undefined {
  const schema = type ? tryGetDataType(type) : undefined;
  const element = schema && Object.hasOwn(schema.elements, name) ? schema.elements[name] : undefined;
  return element?.type.length === 1 ? element.type[0].code : undefined;
}

/**
 * Renders a JSON location as FHIRPath, starting at `resourceType`, and tells
 * the FHIR type of the element it ends on (when known). `root` is the
 * resource the location points into: it tells the type of resources nested
 * inside (contained, Bundle.entry.resource, Parameters.parameter.resource).
 */
export function resolveLocation(
  root: unknown,
  resourceType: string,
  location: readonly PathSegment[],
): { path: string; type: string | undefined } {
  let out = resourceType;
  let value: unknown = root;
  let type: string | undefined = resourceType;
  for (const segment of location) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
      value = Array.isArray(value) ? value[segment] : undefined;
      continue;
    }
    if (isJsonObject(value) && typeof value.resourceType === 'string' && isResourceType(value.resourceType)) {
      type = value.resourceType;
    }
    value = isJsonObject(value) && Object.hasOwn(value, segment) ? value[segment] : undefined;
    const primitiveExtension = segment.length > 1 && segment.startsWith('_');
    const key = primitiveExtension ? segment.slice(1) : segment;
    const schema = type ? tryGetDataType(type) : undefined;
    // Own properties only: an element named `constructor` or `toString` is unknown, not Object's.
    if (schema && Object.hasOwn(schema.elements, key)) {
      out += '.' + key;
      type = elementType(type, key);
    } else {
      const choice = choiceOf(type, key);
      if (choice) {
        out += `.${choice.name}.ofType(${choice.code})`;
        type = choice.code;
      } else {
        out += '.' + (key.startsWith('_') ? segment : key); // `__proto__` stays as written
        type = undefined;
      }
    }
    if (primitiveExtension) {
      type = 'Element';
    }
  }
  return { path: out, type };
}

/** The FHIRPath of a JSON location (see resolveLocation). */
export function toFhirPath(root: unknown, resourceType: string, location: readonly PathSegment[]): string {
  return resolveLocation(root, resourceType, location).path;
}

/** The value at a JSON location. */
export function valueAt(root: unknown, location: readonly PathSegment[]): unknown {
  let value: unknown = root;
  for (const step of location) {
    if (value === null || typeof value !== 'object') {
      return undefined;
    }
    value = Object.hasOwn(value, step) ? (value as Record<string | number, unknown>)[step] : undefined;
  }
  return value;
}

/** Splits an ajv `instancePath` (a JSON pointer) into a location; `root` tells indexes from names. */
export function fromJsonPointer(root: unknown, pointer: string): PathSegment[] {
  if (pointer === '') {
    return [];
  }
  const out: PathSegment[] = [];
  let value: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value) && /^\d+$/.test(token)) {
      const index = Number(token);
      out.push(index);
      value = value[index];
    } else {
      out.push(token);
      value = isJsonObject(value) && Object.hasOwn(value, token) ? value[token] : undefined;
    }
  }
  return out;
}

/**
 * Turns the element paths `@medplum/core`'s validator reports
 * (`Observation.value[x].value`, `Patient.birthDate.extension[0]`,
 * `Patient.name[0].given[1]`) into a location in `root`: `[x]` becomes the
 * JSON property actually present (`valueQuantity`), and a primitive's
 * extension path goes through its `_x` sibling.
 */
export function fromElementPath(root: unknown, path: string): PathSegment[] {
  const tokens = path.match(/[^.[\]]+(?:\[x\])?|\[\d+\]/g) ?? [];
  const out: PathSegment[] = [];
  let value: unknown = root;
  // Where the last property step started, to switch to its `_x` sibling when
  // the path goes on into a primitive's id or extensions.
  let owner: JsonObject | undefined;
  let ownerAt = -1;
  // The first token is the type the path starts from (the resource type).
  for (const token of tokens.slice(1)) {
    if (token.startsWith('[')) {
      const index = Number(token.slice(1, -1));
      out.push(index);
      value = Array.isArray(value) ? value[index] : undefined;
      continue;
    }
    if (!isJsonObject(value) && value !== undefined && owner && typeof out[ownerAt] === 'string') {
      const sibling = '_' + String(out[ownerAt]);
      if (Object.hasOwn(owner, sibling)) {
        out[ownerAt] = sibling;
        value = owner[sibling];
        for (const step of out.slice(ownerAt + 1)) {
          value = Array.isArray(value) && typeof step === 'number' ? value[step] : undefined;
        }
      }
    }
    const obj = isJsonObject(value) ? value : undefined;
    let key = token;
    if (key.endsWith('[x]')) {
      const base = key.slice(0, -3);
      const present = obj
        ? Object.keys(obj).find((k) => {
            const name = k.startsWith('_') ? k.slice(1) : k;
            return name.length > base.length && name.startsWith(base) && /[A-Z]/.test(name.charAt(base.length));
          })
        : undefined;
      key = present ?? base;
    } else if (obj && !Object.hasOwn(obj, key) && Object.hasOwn(obj, '_' + key)) {
      key = '_' + key;
    }
    owner = obj;
    ownerAt = out.length;
    out.push(key);
    value = obj && Object.hasOwn(obj, key) ? obj[key] : undefined;
  }
  return out;
}
