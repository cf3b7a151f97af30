/**
 * Step 2 (and 3, for profiles) of validation: structure, cardinality,
 * primitive values and invariants, judged by `@medplum/core`'s
 * `validateResource`.
 *
 * Medplum's validator visits every element its definitions know for each
 * object it meets, present or not, and costs about 0.5 ms for a typical
 * Patient (2,000/s on one core): more than the whole write may spend. So a
 * fast pass goes first. It applies the same rules (same definitions, same
 * invariants through Medplum's FHIRPath engine, same skipped invariants) but
 * only to what is present, and answers only "certainly valid" or "not sure".
 * Medplum's validator runs only when the fast pass is not sure, and its
 * verdict (after the corrections below) is the answer. The fast pass must
 * therefore be at least as strict as the corrected Medplum verdict; where it
 * is stricter it only costs time. It is "not sure" about anything unusual:
 * nulls, empty values, unknown elements, slicing, fixed or pattern values,
 * a failed or empty invariant.
 *
 * Corrections of Medplum's verdict (it is stricter than R4 here):
 * - Strings: R4's rules are XML Schema regexes, where whitespace is only
 *   space, tab, CR, LF. Medplum uses JavaScript's `\s` and `trim()`, which
 *   also take NBSP and other Unicode spaces as whitespace, so it rejects the
 *   official example CodeSystem/v2-0550 (codes "CHESTÂ\u00a0", "KIDNÂ\u00a0",
 *   "\u00a0"). Its string/markdown regex also refuses control characters,
 *   which R4 only advises against (SHOULD NOT).
 * - base64Binary: whitespace is allowed (see schema.ts; official examples
 *   Binary/example, Media/example, DiagnosticReport/gingival-mass).
 * - The 1 MB limit is R4's limit for `string`; Medplum applies it to xhtml
 *   too (official examples CodeSystem/dicom-dcim, ValueSet/c80-doc-typecodes
 *   have a larger narrative).
 */
import {
  evalFhirPathTyped,
  isPrimitiveType,
  OperationOutcomeError,
  parseFhirPath,
  parseStructureDefinition,
  tryGetDataType,
  UCUM,
  validateResource as coreValidateResource,
  validationRegexes,
  type FhirPathAtom,
  type InternalSchemaElement,
  type InternalTypeSchema,
  type TypedValue,
} from '@medplum/core';
import type { Resource, StructureDefinition } from '@medplum/fhirtypes';
import { fromElementPath, resolveLocation, valueAt } from './expression.ts';
import { isFull, issue, type Issue } from './issue.ts';
import { BASE64_REGEX } from './schema.ts';
import { isJsonObject } from '../fhir-json/fhir-json.ts';

// ---------------------------------------------------------------------------
// Primitive values, with R4's (XML Schema) meaning of whitespace

const JS_TYPE: Record<string, 'string' | 'number' | 'boolean'> = {
  base64Binary: 'string',
  boolean: 'boolean',
  canonical: 'string',
  code: 'string',
  date: 'string',
  dateTime: 'string',
  decimal: 'number',
  id: 'string',
  instant: 'string',
  integer: 'number',
  markdown: 'string',
  oid: 'string',
  positiveInt: 'number',
  string: 'string',
  time: 'string',
  unsignedInt: 'number',
  uri: 'string',
  url: 'string',
  uuid: 'string',
  xhtml: 'string',
  'http://hl7.org/fhirpath/System.String': 'string',
};

const NO_WS = '[^ \\t\\n\\r]';
const REGEX: Record<string, RegExp | undefined> = {
  ...validationRegexes,
  base64Binary: BASE64_REGEX,
  code: new RegExp(`^${NO_WS}+([ \\t\\n\\r]${NO_WS}+)*$`),
  canonical: new RegExp(`^${NO_WS}*$`),
  uri: new RegExp(`^${NO_WS}*$`),
  url: new RegExp(`^${NO_WS}*$`),
  string: undefined, // any character (R4: [ \r\n\t\S]+ in XML Schema terms)
  markdown: undefined,
  xhtml: undefined,
};

const ONLY_WS = /^[ \t\n\r]*$/;
const ONE_MB = 1024 * 1024;

/**
 * BASE64_REGEX's language (base64 with whitespace anywhere, correct padding) checked in linear time: that
 * regular expression overflows the stack on a document of a few megabytes (an HL7 ED, a Binary).
 */
function isBase64(value: string): boolean {
  const text = /[ \t\n\r]/.test(value) ? value.replace(/[ \t\n\r]+/g, '') : value;
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** True when `value` is a valid R4 value of the primitive type `code`. */
export function isValidPrimitive(value: unknown, code: string): boolean {
  const js = JS_TYPE[code];
  if (!js || typeof value !== js) {
    return false;
  }
  if (typeof value === 'string') {
    if (ONLY_WS.test(value)) {
      return false;
    }
    // R4 limits strings to 1 MB (datatypes.html#string); base64Binary is not a string: Binary.data and
    // Attachment.data hold documents whose size only the body and frame limits bound.
    if (value.length > ONE_MB && code !== 'xhtml' && code !== 'base64Binary') {
      return false;
    }
    if (code === 'base64Binary') {
      return isBase64(value);
    }
    const re = REGEX[code];
    return !re || re.test(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      return false;
    }
    if (code === 'integer' || code === 'positiveInt' || code === 'unsignedInt') {
      if (!Number.isInteger(value)) {
        return false;
      }
      if (code === 'positiveInt' && value <= 0) {
        return false;
      }
      if (code === 'unsignedInt' && value < 0) {
        return false;
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// The fast pass

/** Invariants Medplum does not evaluate; skipped here too. */
const SKIPPED_CONSTRAINTS = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);

interface CompiledConstraint {
  key: string;
  atom: FhirPathAtom;
}

interface Member {
  element: InternalSchemaElement;
  /** The type the JSON name selects (for a choice, the one its suffix names). */
  code: string;
  primitive: boolean;
  constraints: CompiledConstraint[];
}

interface TypeInfo {
  /** Members by JSON property name (`valueQuantity` for `value[x]`). */
  members: Map<string, Member>;
  /** For each required element, the JSON names that satisfy it. */
  required: string[][];
  /** Slicing, fixed or pattern values: left to Medplum's validator. */
  unsupported: boolean;
  constraints: CompiledConstraint[];
}

const atoms = new Map<string, FhirPathAtom>();
const typeInfos = new WeakMap<InternalTypeSchema, TypeInfo>();

function compile(constraints: InternalSchemaElement['constraints']): CompiledConstraint[] {
  const out: CompiledConstraint[] = [];
  for (const c of constraints ?? []) {
    if (c.severity !== 'error' || SKIPPED_CONSTRAINTS.has(c.key)) {
      continue;
    }
    let atom = atoms.get(c.expression);
    if (!atom) {
      atom = parseFhirPath(c.expression);
      atoms.set(c.expression, atom);
    }
    out.push({ key: c.key, atom });
  }
  return out;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function typeInfo(schema: InternalTypeSchema): TypeInfo {
  let info = typeInfos.get(schema);
  if (info) {
    return info;
  }
  const members = new Map<string, Member>();
  const required: string[][] = [];
  let unsupported = false;
  for (const [key, element] of Object.entries(schema.elements)) {
    if (element.slicing || element.fixed || element.pattern) {
      unsupported = true;
    }
    const constraints = compile(element.constraints);
    const names: string[] = [];
    if (key.endsWith('[x]')) {
      const base = key.slice(0, -3);
      for (const t of element.type) {
        const name = base + capitalize(t.code);
        members.set(name, { element, code: t.code, primitive: isPrimitiveType(t.code), constraints });
        names.push(name);
      }
    } else {
      const code = element.type[0]?.code ?? '';
      members.set(key, { element, code, primitive: isPrimitiveType(code), constraints });
      names.push(key);
    }
    if (element.min > 0) {
      required.push(names);
    }
  }
  info = { members, required, unsupported, constraints: compile(schema.constraints) };
  typeInfos.set(schema, info);
  return info;
}

const UCUM_VALUE: TypedValue = { type: 'string', value: UCUM };

interface Walk {
  root: TypedValue;
  /** Enclosing resources, innermost last. */
  resources: TypedValue[];
}

function holds(constraints: CompiledConstraint[], value: TypedValue, walk: Walk): boolean {
  if (constraints.length === 0) {
    return true;
  }
  const variables: Record<string, TypedValue> = {
    '%context': value,
    '%ucum': UCUM_VALUE,
    '%resource': walk.resources[walk.resources.length - 1],
    '%rootResource': walk.root,
  };
  for (const c of constraints) {
    try {
      const result = evalFhirPathTyped(c.atom, [value], variables);
      if (result.length !== 1 || result[0].value !== true) {
        return false;
      }
    } catch {
      return false;
    }
  }
  return true;
}

function walkValue(value: unknown, member: Member, walk: Walk): boolean {
  if (member.primitive) {
    if (!isValidPrimitive(value, member.code)) {
      return false;
    }
    return holds(member.constraints, { type: member.code, value }, walk);
  }
  if (!isJsonObject(value)) {
    return false;
  }
  let type = member.code;
  const isResource = type === 'Resource' || type === 'DomainResource';
  if (isResource) {
    if (typeof value.resourceType !== 'string') {
      return false;
    }
    type = value.resourceType;
  }
  const typed: TypedValue = { type, value };
  if (!holds(member.constraints, typed, walk)) {
    return false;
  }
  const schema = tryGetDataType(type);
  if (!schema) {
    return false;
  }
  if (isResource) {
    walk.resources.push(typed);
    const ok = walkObject(value, schema, walk);
    walk.resources.pop();
    return ok;
  }
  return walkObject(value, schema, walk);
}

const ELEMENT_MEMBER: Member = {
  element: { description: '', path: 'Element', min: 0, max: 1, type: [{ code: 'Element' }] },
  code: 'Element',
  primitive: false,
  constraints: [],
};

/** `_name`: the id and extensions of a primitive, an Element (or an array of them, null where none). */
function walkPrimitiveElement(value: unknown, partner: unknown, walk: Walk): boolean {
  if (Array.isArray(value)) {
    if (!Array.isArray(partner) && partner !== undefined) {
      return false;
    }
    for (const item of value) {
      if (item !== null && !walkValue(item, ELEMENT_MEMBER, walk)) {
        return false;
      }
    }
    return value.length > 0;
  }
  return walkValue(value, ELEMENT_MEMBER, walk);
}

function walkObject(obj: Record<string, unknown>, schema: InternalTypeSchema, walk: Walk): boolean {
  const info = typeInfo(schema);
  if (info.unsupported) {
    return false;
  }
  const keys = Object.keys(obj);
  if (keys.length === 0) {
    return false;
  }
  for (const key of keys) {
    if (key === 'resourceType') {
      continue;
    }
    const value = obj[key];
    if (key.charCodeAt(0) === 95 /* _ */) {
      const member = info.members.get(key.slice(1));
      if (!member?.primitive || !walkPrimitiveElement(value, obj[key.slice(1)], walk)) {
        return false;
      }
      continue;
    }
    const member = info.members.get(key);
    if (!member) {
      return false;
    }
    const element = member.element;
    if (Array.isArray(value)) {
      if (!element.isArray || value.length === 0 || value.length > element.max || value.length < element.min) {
        return false;
      }
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (item === null) {
          // Allowed only for a primitive whose id/extensions sit at the same index of `_key`.
          const partner = obj['_' + key];
          if (member.primitive && Array.isArray(partner) && isJsonObject(partner[i])) {
            continue;
          }
          return false;
        }
        if (!walkValue(item, member, walk)) {
          return false;
        }
      }
    } else {
      if (value === null || value === undefined || element.isArray || element.max < 1) {
        return false;
      }
      if (!walkValue(value, member, walk)) {
        return false;
      }
    }
  }
  for (const names of info.required) {
    if (!names.some((n) => n in obj || '_' + n in obj)) {
      return false;
    }
  }
  return true;
}

/**
 * True when the resource certainly passes Medplum's validator (as corrected
 * here) against `schema` (its type's definition, or a parsed profile).
 */
function certainlyValid(resource: Resource, schema: InternalTypeSchema): boolean {
  const root: TypedValue = { type: resource.resourceType, value: resource };
  const walk: Walk = { root, resources: [root] };
  if (!holds(typeInfo(schema).constraints, root, walk)) {
    return false;
  }
  return walkObject(resource as unknown as Record<string, unknown>, schema, walk);
}

// ---------------------------------------------------------------------------
// Medplum's validator, its issues corrected and reworded

/** True when Medplum reports as an error what R4 allows (see the top of this file). */
function allowedByR4(text: string, resource: Resource, location: (string | number)[]): boolean {
  const value = valueAt(resource, location);
  if (typeof value !== 'string') {
    return false;
  }
  const { type } = resolveLocation(resource, resource.resourceType, location);
  if (text === 'String cannot be larger than 1 MB') {
    return type === 'xhtml';
  }
  if (text === 'String must contain non-whitespace content') {
    return isValidPrimitive(value, type && JS_TYPE[type] === 'string' ? type : 'string');
  }
  const format = /^Invalid (\S+) format$/.exec(text);
  if (format) {
    return isValidPrimitive(value, format[1]);
  }
  return false;
}

/** Medplum's messages, reworded: the element named, and an issue code saying what kind of rule failed. */
function reword(text: string, expression: string): { code: Issue['code']; diagnostics: string } {
  const name = /([A-Za-z0-9_]+)(\.ofType\([^)]*\))?(\[\d+\])?$/.exec(expression)?.[1] ?? expression;
  if (text === 'Missing required property') {
    return { code: 'required', diagnostics: `Missing required element '${name}'` };
  }
  const additional = /^Invalid additional property "(.*)"$/.exec(text);
  if (additional) {
    return { code: 'structure', diagnostics: `Unknown element '${additional[1]}'` };
  }
  const count = /^Invalid number of values: expected (\S+), but found (\d+)$/.exec(text);
  if (count) {
    return {
      code: count[2] === '0' ? 'required' : 'structure',
      diagnostics: `Element '${name}' must have ${count[1]} values, found ${count[2]}`,
    };
  }
  if (text.startsWith('Constraint ')) {
    return { code: 'invariant', diagnostics: text };
  }
  if (text.startsWith('Error evaluating')) {
    return { code: 'processing', diagnostics: `${text} at '${name}'` };
  }
  if (
    /^Invalid \S+ format$/.test(text) ||
    text.startsWith('Expected number') ||
    text.startsWith('Invalid numeric') ||
    text.startsWith('String ') ||
    text.startsWith('Value did not match')
  ) {
    return { code: 'value', diagnostics: `Element '${name}': ${text}` };
  }
  return { code: 'structure', diagnostics: `Element '${name}': ${text}` };
}

/** Runs Medplum's validator; its errors (corrected) as our issues. Its warnings are dropped. */
export function medplumIssues(resource: Resource, profile?: StructureDefinition): Issue[] {
  try {
    coreValidateResource(resource, profile ? { profile } : undefined);
    return [];
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) {
      throw err;
    }
    const out: Issue[] = [];
    for (const found of err.outcome.issue ?? []) {
      if (isFull(out)) {
        break; // enough to answer (issue.ts)
      }
      if (found.severity !== 'error' && found.severity !== 'fatal') {
        continue;
      }
      const text = found.details?.text ?? found.diagnostics ?? 'Invalid';
      const where = found.expression?.[0];
      const location = where ? fromElementPath(resource, where) : [];
      if (allowedByR4(text, resource, location)) {
        continue;
      }
      const expression = resolveLocation(resource, resource.resourceType, location).path;
      const { code, diagnostics } = reword(text, expression);
      out.push(issue(code, diagnostics, expression));
    }
    return out;
  }
}

// ---------------------------------------------------------------------------

const profileSchemas = new Map<StructureDefinition, InternalTypeSchema>();

function profileSchema(profile: StructureDefinition): InternalTypeSchema {
  let schema = profileSchemas.get(profile);
  if (!schema) {
    schema = parseStructureDefinition(profile);
    profileSchemas.set(profile, schema);
  }
  return schema;
}

/** The fast pass alone: true when it finds `resource` certainly valid (exported for tests). */
export function fastPassAccepts(resource: Resource, profile?: StructureDefinition): boolean {
  const schema = profile ? profileSchema(profile) : tryGetDataType(resource.resourceType);
  return !!schema && certainlyValid(resource, schema);
}

/**
 * Structure, cardinality, primitive values and invariants of `resource`
 * against its type's definition, or against `profile`. No issues: valid.
 */
export function structureIssues(resource: Resource, profile?: StructureDefinition): Issue[] {
  const schema = profile ? profileSchema(profile) : tryGetDataType(resource.resourceType);
  if (schema && certainlyValid(resource, schema)) {
    return [];
  }
  return medplumIssues(resource, profile);
}
