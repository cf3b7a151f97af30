/**
 * The validation step of the write path (FHIR R4 4.0.1).
 *
 * 1. The R4 JSON schema (ajv, see schema.ts): JSON types, unknown elements,
 *    primitive formats, required codes -> 400.
 * 2. Structure, cardinality, primitive values and invariants with
 *    `@medplum/core`'s validator (behind a fast pass that applies the same
 *    rules and lets a certainly valid resource skip it, see structure.ts)
 *    -> 400.
 * 3. Each `meta.profile` that is a known profile (an R4 base definition or
 *    one of the project's profiles/) -> 422 when the resource does not
 *    conform. Profiles we do not know are ignored.
 *
 * Every issue returned has severity `error`, an issue-type `code`, plain
 * `diagnostics` and one FHIRPath `expression` (see expression.ts).
 */
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { isResourceType, knownProfile, loadDefinitions } from './definitions.ts';
import { bounded, isFull, issue, type Issue } from './issue.ts';
import { schemaIssues } from './schema.ts';
import { DEFAULT_LIMITS, measure, searchValuesIssue, type ResourceLimits } from './size.ts';
import { medplumIssues, structureIssues } from './structure.ts';
import { isJsonObject } from '../fhir-json/fhir-json.ts';

export interface ValidationFailure {
  /**
   * invalid (400): unreadable or breaks R4; unprocessable (422): valid R4 that a profile refuses; too-costly:
   * larger than the server's limits (size.ts).
   */
  kind: 'invalid' | 'unprocessable' | 'too-costly';
  outcome: OperationOutcome;
}

const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';

function failure(kind: ValidationFailure['kind'], issues: Issue[]): ValidationFailure {
  return { kind, outcome: { resourceType: 'OperationOutcome', issue: bounded(issues) } };
}

/** `a` is `b`, or an element inside it, or the other way round. */
function related(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return long === short || long.startsWith(short + '.') || long.startsWith(short + '[');
}

/** Adds to `into` the issues of `more` about places `into` says nothing of (nor of what holds them, nor of what they hold). */
function mergeNew(into: Issue[], more: Issue[]): Issue[] {
  const reported = into.map((i) => i.expression[0]);
  for (const i of more) {
    if (isFull(into)) {
      break; // both lists are bounded (issue.ts), so this stays linear in the resource
    }
    const where = i.expression[0];
    if (!reported.some((r) => related(r, where))) {
      reported.push(where);
      into.push(i);
    }
  }
  return into;
}

/** True when the base definition of `type` derives (directly or not) from `url`. */
function isAncestor(url: string | undefined, type: string): boolean {
  let sd = knownProfile(HL7_SD + type);
  while (sd?.baseDefinition) {
    if (sd.baseDefinition === url) {
      return true;
    }
    sd = knownProfile(sd.baseDefinition);
  }
  return false;
}

function profileIssues(resource: Resource): Issue[] {
  const profiles = resource.meta?.profile;
  if (!Array.isArray(profiles)) {
    return [];
  }
  const out: Issue[] = [];
  profiles.forEach((canonical, index) => {
    const url = canonical.split('|')[0];
    const sd = knownProfile(url);
    if (!sd) {
      return; // not a profile we know: nothing to check it against
    }
    const where = `${resource.resourceType}.meta.profile[${index}]`;
    if (sd.abstract && isAncestor(sd.url, resource.resourceType)) {
      return; // e.g. DomainResource: the resource's own definition derives from it
    }
    if (sd.type !== resource.resourceType) {
      out.push(issue('processing', `Profile ${url} is for ${sd.type}, not ${resource.resourceType}`, where));
      return;
    }
    if (sd.url === HL7_SD + sd.type) {
      return; // the base definition, already checked in step 2
    }
    out.push(...structureIssues(resource, sd));
  });
  return out;
}

/** The bounds of size.ts, set by loadValidation from the configuration (config.ts). */
let limits: ResourceLimits = DEFAULT_LIMITS;

/**
 * Loads the definitions (R4, profiles/ and `extraDir`) and compiles the JSON schema now, so that the first write
 * does not pay for it: the server's main thread and each prepare worker start this way.
 */
export function loadValidation(extraDir?: string, resourceLimits: ResourceLimits = DEFAULT_LIMITS): void {
  loadDefinitions({ extraDir });
  limits = resourceLimits;
  validateResource({ resourceType: 'Basic', code: { text: 'warm-up' } });
}

/**
 * `undefined` when a valid resource's search values (search-index/extract.ts) are few enough to index, else why
 * not (too-costly, MAX_SEARCH_VALUES).
 */
export function checkSearchValues(resourceType: string, values: object): ValidationFailure | undefined {
  const found = searchValuesIssue(values as Record<string, unknown>, resourceType, limits);
  return found ? failure('too-costly', [found]) : undefined;
}

/**
 * Validates a resource about to be written. `undefined` when it is valid;
 * otherwise the HTTP status (400 not valid FHIR R4, 422 valid FHIR that does
 * not conform to a profile it claims) and an OperationOutcome saying why.
 */
export function validateResource(resource: unknown): ValidationFailure | undefined {
  loadDefinitions();
  if (!isJsonObject(resource)) {
    return failure('invalid', [issue('structure', 'A resource must be a JSON object', '$this')]);
  }
  const type = resource.resourceType;
  if (typeof type !== 'string') {
    return failure('invalid', [issue('required', "Missing 'resourceType'", 'resourceType')]);
  }
  if (!isResourceType(type)) {
    return failure('invalid', [issue('not-supported', `Unknown resource type '${type}'`, 'resourceType')]);
  }
  const size = measure(resource, type, limits);
  if (size.issue) {
    return failure('too-costly', [size.issue]);
  }

  const fromSchema = schemaIssues(resource, type, size.elements);
  if (fromSchema.length > 0) {
    // Also report what the structure rules find (e.g. a missing primitive
    // such as Observation.status, which the schema cannot require).
    let more: Issue[] = [];
    try {
      more = medplumIssues(resource as unknown as Resource);
    } catch {
      // Malformed beyond what the second validator can walk: the schema's
      // issues say enough.
    }
    return failure('invalid', mergeNew(fromSchema, more));
  }

  const fhir = resource as unknown as Resource;
  const fromStructure = structureIssues(fhir);
  if (fromStructure.length > 0) {
    return failure('invalid', fromStructure);
  }

  const fromProfiles = profileIssues(fhir);
  if (fromProfiles.length > 0) {
    return failure('unprocessable', fromProfiles);
  }
  return undefined;
}
