/**
 * The project's own SearchParameters (https://hl7.org/fhir/R4/searchparameter.html): JSON files in
 * `profiles/`, each a SearchParameter or a Bundle of them, checked when loaded and then indexed into
 * `@medplum/core`'s schema beside R4's, so extraction, search and the CapabilityStatement all see them.
 * A bad file stops the start: a parameter that silently indexes nothing is worse than no server.
 */
import { getSearchParameter, indexSearchParameter, parseFhirPath } from '@medplum/core';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';

/** search.html#ptypes */
const TYPES: SearchParameter['type'][] = ['number', 'date', 'string', 'token', 'reference', 'composite', 'quantity', 'uri', 'special'];

/** publication-status, required by SearchParameter.status. */
const STATUSES: SearchParameter['status'][] = ['draft', 'active', 'retired', 'unknown'];

/**
 * A custom code must not start with `_` (reserved for the spec's common parameters, search.html#all) and may
 * not hold `.` (chaining), `:` (modifiers) or `|` (the separator of stored search keys).
 */
const CODE = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The SearchParameters a file holds: the resource itself, or every entry of a Bundle (nothing else allowed). */
export function searchParametersOf(resource: Resource, source: string): SearchParameter[] {
  if (resource.resourceType === 'SearchParameter') return [resource];
  if (resource.resourceType !== 'Bundle')
    throw new Error(`${source}: expected a SearchParameter or a Bundle of them, got ${resource.resourceType}`);
  const out: SearchParameter[] = [];
  (resource.entry ?? []).forEach((entry, i) => {
    const r = entry.resource;
    if (r?.resourceType !== 'SearchParameter') {
      throw new Error(`${source}: Bundle.entry[${i}].resource must be a SearchParameter, got ${r?.resourceType ?? 'nothing'}`);
    }
    out.push(r);
  });
  return out;
}

/**
 * Checks a custom SearchParameter against what is already indexed (R4's and earlier custom ones) and throws
 * an Error naming `source` and the element at fault. A code that an existing parameter of the same base
 * already has is an error unless both have the same url (the file then restates or corrects that one).
 */
export function checkSearchParameter(sp: SearchParameter, source: string, isResourceType: (type: string) => boolean): void {
  const fail = (element: string, message: string): never => {
    throw new Error(`${source}: SearchParameter${sp.code ? ` '${sp.code}'` : ''} ${element}: ${message}`);
  };
  for (const element of ['url', 'name', 'description', 'code'] as const) {
    if (typeof sp[element] !== 'string' || sp[element].trim() === '') fail(element, 'is required (SearchParameter cardinality 1..1)');
  }
  if (!STATUSES.includes(sp.status)) fail('status', `must be one of ${STATUSES.join(', ')}`);
  if (!CODE.test(sp.code)) fail('code', 'must start with a letter and hold only letters, digits, - and _');
  if (!TYPES.includes(sp.type)) fail('type', `must be one of ${TYPES.join(', ')}`);
  if (!Array.isArray(sp.base) || sp.base.length === 0) fail('base', 'needs at least one resource type');
  for (const base of sp.base) if (!isResourceType(base)) fail('base', `'${base}' is not an R4 resource type`);
  for (const target of sp.target ?? []) if (!isResourceType(target)) fail('target', `'${target}' is not an R4 resource type`);
  if (sp.type === 'composite') {
    if (!sp.component?.length) fail('component', 'a composite parameter needs its components');
    sp.component!.forEach((c, i) => {
      if (!c.definition || !c.expression) fail(`component[${i}]`, 'needs definition and expression');
    });
  } else if (typeof sp.expression !== 'string' || sp.expression.trim() === '') {
    fail('expression', 'is required: values are extracted with this FHIRPath expression');
  }
  if (sp.expression) {
    try {
      parseFhirPath(sp.expression);
    } catch (err) {
      fail('expression', `is not valid FHIRPath (${(err as Error).message})`);
    }
  }
  for (const base of sp.base) {
    const existing = getSearchParameter(base, sp.code);
    if (existing && existing.url !== sp.url) fail('code', `clashes with ${existing.url ?? 'a built-in parameter'} on ${base}`);
  }
}

/** Checks and indexes custom SearchParameters in order (a later one is checked against the earlier ones). */
export function indexCustomSearchParameters(
  list: { sp: SearchParameter; source: string }[],
  isResourceType: (type: string) => boolean,
): void {
  for (const { sp, source } of list) {
    checkSearchParameter(sp, source, isResourceType);
    indexSearchParameter(sp);
  }
}
