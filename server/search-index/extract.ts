/**
 * Extracts the search values of a resource at write time, for every SearchParameter of its type
 * (R4's `search-parameters.json` plus the project's own), with the parameter's FHIRPath expression.
 * The result is stored beside the resource (see server/store/documents.ts) and indexed.
 */
import { evalFhirPathTyped, getSearchParameters, parseFhirPath, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import type { SearchValues } from '../store/documents.ts';
import { compileExpression, type Accessor } from './compile-path.ts';
import { clearCompositeCache, compositeParametersOf, compositeTuples, type AddComponentValues } from './extract-composite.ts';
import { nearTuples } from './extract-near.ts';
import { dateRange } from './date-range.ts';
import { normalizeString } from './normalize-string.ts';

export interface CompiledParameter {
  code: string;
  type: SearchParameter['type'];
  /** Direct property accessor when the expression is a simple path, else undefined. */
  accessor?: Accessor;
  expression: ReturnType<typeof parseFhirPath>;
}

/** Explicit cache: expressions parsed once per resource type. */
const compiled = new Map<string, CompiledParameter[]>();

function parametersOf(resourceType: string): CompiledParameter[] {
  let list = compiled.get(resourceType);
  if (!list) {
    list = [];
    for (const [code, param] of Object.entries(getSearchParameters(resourceType) ?? {})) {
      if (!param.expression || param.type === 'composite' || param.type === 'special') continue;
      // `_id` and `_lastUpdated` are the document's own `id` and `lastUpdated` fields.
      if (code === '_id' || code === '_lastUpdated') continue;
      list.push({
        code,
        type: param.type,
        accessor: compileExpression(param.expression, resourceType),
        expression: parseFhirPath(param.expression),
      });
    }
    compiled.set(resourceType, list);
  }
  return list;
}

/** Forgets compiled expressions, after SearchParameters change. */
export function clearExtractorCache(): void {
  compiled.clear();
  clearCompositeCache();
}

export function emptySearchValues(): SearchValues {
  return { tok: [], ref: [], str: [], dt: [], num: [], uri: [], strx: [], cmp: [], has: [], sk: {}, skd: {} };
}

/** The values each parameter selects; `fhirPathOnly` skips the fast path (for the equivalence test). */
export function selectValues(resource: Resource, param: CompiledParameter, fhirPathOnly = false): TypedValue[] {
  if (param.accessor && !fhirPathOnly) {
    return param.accessor(resource as unknown as Record<string, unknown>).map((value) => ({ type: '', value }));
  }
  try {
    return evalFhirPathTyped(param.expression, [toTypedValue(resource)]);
  } catch {
    return []; // an expression that cannot evaluate on this resource indexes nothing, as in HAPI
  }
}

/** Sort keys of the parameter being extracted: its lowest and highest value. */
interface SortState {
  lo?: string | number;
  hi?: string | number;
  /** Some value was stored (also one without a sort key, e.g. only a CodeableConcept.text). */
  any?: boolean;
}

export function extractSearchValues(resource: Resource, fhirPathOnly = false): SearchValues {
  const out = emptySearchValues() as Required<SearchValues>;
  for (const param of parametersOf(resource.resourceType)) {
    const values = selectValues(resource, param, fhirPathOnly);
    if (values.length === 0) continue;
    const sort: SortState = {};
    for (const tv of values) addValue(out, param, tv, sort);
    if (sort.any || sort.lo !== undefined) out.has.push(param.code);
    if (sort.lo !== undefined) {
      out.sk[param.code] = sort.lo;
      out.skd[param.code] = sort.hi!;
    }
  }
  for (const composite of compositeParametersOf(resource.resourceType)) {
    const tuples = compositeTuples(resource, composite, emptySearchValues, addComponentValues, fhirPathOnly);
    if (tuples.length === 0) continue;
    out.cmp.push(...tuples);
    out.has.push(composite.code);
  }
  for (const tuple of nearTuples(resource)) {
    out.cmp.push(tuple);
    out.has.push(tuple.p);
  }
  out.tok = [...new Set(out.tok)];
  out.ref = [...new Set(out.ref)];
  out.str = [...new Set(out.str)];
  out.uri = [...new Set(out.uri)];
  out.strx = [...new Set(out.strx)];
  return out;
}

type Obj = Record<string, unknown>;

/** A composite's component values go into its tuple in the same shapes as plain parameters (extract-composite.ts). */
const addComponentValues: AddComponentValues = (tuple, component, values) => {
  for (const tv of values) addValue(tuple as Required<SearchValues>, component, tv, {});
};

function sortBy(sort: SortState, lo: string | number, hi: string | number = lo): void {
  if (sort.lo === undefined || lo < sort.lo) sort.lo = lo;
  if (sort.hi === undefined || hi > sort.hi) sort.hi = hi;
}

const HISTORY = /\/_history\/[^/]*$/;

function addValue(out: Required<SearchValues>, param: CompiledParameter, { type, value }: TypedValue, sort: SortState): void {
  const p = param.code;
  const v = value as Obj;
  switch (param.type) {
    case 'token':
      for (const [system, code] of tokenPairs(type, value)) {
        out.tok.push(tokenKey(p, code, system));
        sortBy(sort, code);
      }
      if (v && typeof v === 'object' && addTokenExtras(out, p, v)) sort.any = true;
      return;
    case 'reference': {
      let ref: string | undefined;
      if (typeof value === 'string') ref = value;
      else if (v && typeof v === 'object') {
        if (typeof v.reference === 'string') ref = v.reference.replace(HISTORY, '');
        const identifier = v.identifier as Obj | undefined;
        if (identifier && typeof identifier.value === 'string') {
          out.tok.push(tokenKey(`${p}:identifier`, identifier.value, identifier.system as string | undefined));
          sortBy(sort, identifier.value);
        }
      }
      if (ref !== undefined) {
        out.ref.push(`${p}|${ref}`);
        sortBy(sort, ref);
      }
      return;
    }
    case 'string':
      for (const s of stringsOf(value)) {
        const n = normalizeString(s);
        out.str.push(`${p}|${n}`);
        out.strx.push(`${p}|${s}`);
        sortBy(sort, n);
      }
      return;
    case 'uri':
      if (typeof value === 'string') {
        out.uri.push(`${p}|${value}`);
        sortBy(sort, value);
      }
      return;
    case 'date':
      for (const range of dateRangesOf(value)) {
        out.dt.push({ p, ...range });
        sortBy(sort, range.lo, range.hi);
      }
      return;
    case 'number':
    case 'quantity': {
      const n = addNumber(out, p, value);
      if (n !== undefined) sortBy(sort, n);
      return;
    }
  }
}

/**
 * For `:text` (CodeableConcept.text, Coding.display, Identifier.type.text, normalised, in `str` as
 * `param:text|...`) and `:of-type` (Identifier type codings, in `tok` as `param:of-type|typecode|typesystem|value`).
 */
function addTokenExtras(out: Required<SearchValues>, p: string, v: Obj): boolean {
  const texts: unknown[] = [];
  if (Array.isArray(v.coding) || (typeof v.text === 'string' && v.code === undefined && v.value === undefined)) {
    texts.push(v.text);
    for (const c of (v.coding as Obj[] | undefined) ?? []) texts.push(c?.display);
  } else if (typeof v.code === 'string') {
    texts.push(v.display);
  } else if (typeof v.value === 'string' && v.type && typeof v.type === 'object') {
    const idType = v.type as Obj;
    texts.push(idType.text);
    for (const c of (idType.coding as Obj[] | undefined) ?? []) {
      if (typeof c?.code === 'string') out.tok.push(ofTypeKey(p, c.system as string | undefined, c.code, v.value));
    }
  }
  let added = false;
  for (const t of texts) {
    if (typeof t === 'string') {
      out.str.push(`${p}:text|${normalizeString(t)}`);
      added = true;
    }
  }
  return added;
}

/** The `:of-type` key of an identifier with one type coding (compile-token.ts matches it exactly). */
export function ofTypeKey(param: string, typeSystem: string | undefined, typeCode: string, value: string): string {
  return `${param}:of-type|${escapeTokenPart(typeCode)}|${escapeTokenPart(typeSystem ?? '')}|${escapeTokenPart(value)}`;
}

/**
 * One string per coding: `param|code|system` (system empty when absent), `|` and `\\` escaped in code and
 * system. Every token search form is then an exact key or a key prefix: `code` -> prefix `param|code|`,
 * `system|code` -> `param|code|system`, `|code` -> `param|code|`.
 */
export function tokenKey(param: string, code: string, system?: string): string {
  return `${param}|${escapeTokenPart(code)}|${system === undefined ? '' : escapeTokenPart(system)}`;
}

/** The stored-key escaping of a code or a system: `\\` and `|` get a backslash. */
export function escapeTokenPart(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

function tokenPairs(type: string, value: unknown): [string | undefined, string][] {
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return [[undefined, String(value)]];
  const v = value as Obj;
  if (!v || typeof v !== 'object') return [];
  if (type === 'CodeableConcept' || Array.isArray(v.coding)) {
    return ((v.coding as Obj[] | undefined) ?? []).flatMap((c) =>
      typeof c.code === 'string' ? [[c.system as string | undefined, c.code]] : [],
    );
  }
  if (typeof v.code === 'string') return [[v.system as string | undefined, v.code]]; // Coding
  if (typeof v.value === 'string') return [[v.system as string | undefined, v.value]]; // Identifier, ContactPoint
  return [];
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const v = value as Obj;
  if (!v || typeof v !== 'object') return [];
  const parts: unknown[] = [];
  for (const key of ['text', 'family', 'given', 'prefix', 'suffix', 'line', 'city', 'district', 'state', 'postalCode', 'country']) {
    const x = v[key];
    if (Array.isArray(x))
      for (const item of x) parts.push(item); // not push(...x): 300,000 arguments overflow the stack
    else parts.push(x);
  }
  return parts.filter((x): x is string => typeof x === 'string');
}

function dateRangesOf(value: unknown): { lo: string; hi: string }[] {
  if (typeof value === 'string') {
    const r = dateRange(value);
    return r ? [r] : [];
  }
  const v = value as Obj;
  if (!v || typeof v !== 'object') return [];
  if ('start' in v || 'end' in v) {
    // A Period: open ends reach to the beginning or the end of time (https://hl7.org/fhir/R4/search.html#date).
    const start = typeof v.start === 'string' ? dateRange(v.start) : undefined;
    const end = typeof v.end === 'string' ? dateRange(v.end) : undefined;
    return [{ lo: start?.lo ?? '0000-01-01T00:00:00.000Z', hi: end?.hi ?? '9999-12-31T23:59:59.999Z' }];
  }
  if (Array.isArray(v.event)) return (v.event as unknown[]).flatMap(dateRangesOf); // Timing
  return [];
}

/** Numbers are stored as points (lo = hi = the value): the search value's precision makes the range. */
function addNumber(out: SearchValues, p: string, value: unknown): number | undefined {
  if (typeof value === 'number') {
    out.num.push({ p, lo: value, hi: value });
    return value;
  }
  const v = value as Obj;
  if (v && typeof v === 'object' && typeof v.value === 'number') {
    // `u` is `system|code`; a `unit` that is not the code is one more point with `u` = `|unit`, since
    // `[number]||[code]` matches the code or the unit (https://hl7.org/fhir/R4/search.html#quantity).
    const code = typeof v.code === 'string' ? v.code : undefined;
    const units = code !== undefined ? [`${(v.system as string | undefined) ?? ''}|${code}`] : [];
    if (typeof v.unit === 'string' && v.unit !== code) units.push(`|${v.unit}`);
    if (units.length === 0) out.num.push({ p, lo: v.value, hi: v.value });
    for (const u of units) out.num.push({ p, lo: v.value, hi: v.value, u });
    return v.value;
  }
  return undefined;
}
