/**
 * Bounds on the size of one resource, checked before any other validation step. R4 sets none, but each step
 * after this one (the JSON schema, the structure rules, search-value extraction, storage) costs at least as
 * much as the resource holds and several recurse once per level: 300,000 given names or a QuestionnaireResponse
 * nested a thousand levels deep would hold a core for seconds or overflow its stack. Past a bound the answer is
 * `too-costly`, naming where the bound was crossed.
 */
import { toFhirPath, type PathSegment } from './expression.ts';
import { issue, type Issue } from './issue.ts';

export interface ResourceLimits {
  /** Most JSON values (each object member and array item, at any depth) in one resource. */
  maxElements: number;
  /** Deepest nesting of JSON objects and arrays in one resource. */
  maxDepth: number;
  /**
   * Most search values (server/store/documents.ts) one resource may have: each is an index entry written on
   * the main thread's commit, and 300,000 given names make 1.8 million of them (17 s).
   */
  maxSearchValues: number;
}

/**
 * The defaults of config.ts: the largest official R4 example (Bundle-dataelements.json, 21 MB) holds 477,599
 * values; a QuestionnaireResponse (four JSON levels per level of items) nested 40 items deep fits in 200 levels;
 * a CodeSystem of 50,000 codes has 50,000 search values.
 */
export const DEFAULT_LIMITS: ResourceLimits = { maxElements: 1_000_000, maxDepth: 200, maxSearchValues: 50_000 };

interface Walk {
  limits: ResourceLimits;
  count: number;
  /** Where the bound was crossed, innermost step first (built while unwinding). */
  at?: PathSegment[];
  crossed?: 'elements' | 'depth';
}

/** Counts the values of `value` at `depth`; stops (setting `walk.at`) as soon as a bound is crossed. */
function visit(value: unknown, depth: number, walk: Walk): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth >= walk.limits.maxDepth) {
    walk.crossed = 'depth';
    walk.at = [];
    return false;
  }
  // No closure per object: this runs on every value of every resource written.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!step(i, value[i], depth, walk)) return false;
    return true;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && !step(key, (value as Record<string, unknown>)[key], depth, walk)) return false;
  }
  return true;
}

/** One member or item of a value at `depth`: counted, then visited. */
function step(key: PathSegment, item: unknown, depth: number, walk: Walk): boolean {
  if (++walk.count > walk.limits.maxElements) {
    walk.crossed = 'elements';
    walk.at = [key];
    return false;
  }
  if (visit(item, depth + 1, walk)) return true;
  walk.at!.push(key);
  return false;
}

/**
 * How many JSON values `resource` (a JSON object with a known resourceType) holds, and the issue when it
 * crosses one of `limits` (the count then stops there).
 */
export function measure(
  resource: Record<string, unknown>,
  resourceType: string,
  limits: ResourceLimits,
): { elements: number; issue?: Issue } {
  const walk: Walk = { limits, count: 0 };
  if (visit(resource, 0, walk)) return { elements: walk.count };
  const where = toFhirPath(resource, resourceType, walk.at!.reverse());
  const found =
    walk.crossed === 'depth'
      ? issue('too-costly', `The resource is nested deeper than ${limits.maxDepth} levels (MAX_RESOURCE_DEPTH)`, where)
      : issue('too-costly', `The resource holds more than ${limits.maxElements} elements (MAX_RESOURCE_ELEMENTS)`, where);
  return { elements: walk.count, issue: found };
}

/** The issue when `values` (a resource's search values, by field) hold more than `limits.maxSearchValues`. */
export function searchValuesIssue(values: Record<string, unknown>, resourceType: string, limits: ResourceLimits): Issue | undefined {
  let count = 0;
  for (const field of Object.values(values)) if (Array.isArray(field)) count += field.length;
  if (count <= limits.maxSearchValues) return undefined;
  return issue(
    'too-costly',
    `The resource has ${count} search values; the limit is ${limits.maxSearchValues} (MAX_SEARCH_VALUES)`,
    resourceType,
  );
}
