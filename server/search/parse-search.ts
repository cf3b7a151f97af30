/**
 * Reads a search request's parameters (https://hl7.org/fhir/R4/search.html) from ordered `name=value` pairs
 * (URL query, plus the form body of `POST [type]/_search`). Parsed here rather than with `@medplum/core`'s
 * `parseSearchRequest` because compilation needs the raw modifier and the raw value (prefix, commas, escapes).
 *
 * Search parameters stay raw (`ParsedParameter`): they are resolved against definitions, chains and `_has`
 * in execute-search.ts. Result parameters (`_sort`, `_count`, ...) are validated here.
 */
import { FhirError, badRequest, tooCostly } from '../errors/fhir-error.ts';
import { isResourceType } from '../validation/definitions.ts';
import { checkValues, MAX_PARAMETERS } from './limits.ts';
import { searchParameterOf } from './search-parameter.ts';

export interface ParsedParameter {
  /** The parameter name exactly as sent, e.g. `subject:Patient.name`, `_has:Observation:subject:code`. */
  name: string;
  value: string;
}

export interface SortKey {
  code: string;
  descending: boolean;
}

export interface IncludeSpec {
  /** The resource type whose reference is followed (`Observation` in `Observation:subject`); `*` for all. */
  sourceType: string;
  /** The reference search parameter; `*` follows every reference. */
  param: string;
  /** Only references to this type (`Observation:subject:Patient`). */
  targetType?: string;
  iterate: boolean;
}

export interface IgnoredParameter {
  name: string;
  message: string;
}

export type SummaryMode = 'true' | 'false' | 'count' | 'data' | 'text';
export type TotalMode = 'none' | 'estimate' | 'accurate';

export interface SearchRequest {
  parameters: ParsedParameter[];
  sort: SortKey[];
  count: number;
  /** Opaque page token of a `next` / `previous` link. */
  page?: string;
  total?: TotalMode;
  summary?: SummaryMode;
  /** `_elements`: top-level element names. */
  elements?: string[];
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  /** `_type` of a system search. */
  types?: string[];
  /** Parameters ignored in lenient mode (each says why), for the OperationOutcome entry. */
  ignored: IgnoredParameter[];
}

/** Parameters that only change how the answer is written, never what matches. */
const FORMAT_PARAMETERS = new Set(['_format', '_pretty']);
const UNSUPPORTED_RESULT_PARAMETERS = new Set(['_contained', '_containedType', '_score', '_query', '_filter', '_text', '_content']);

/** `Prefer: handling=strict` (https://hl7.org/fhir/R4/search.html#errors); lenient is the default. */
export function isStrict(prefer: string): boolean {
  return /handling\s*=\s*strict/i.test(prefer);
}

export function parseSearchRequest(
  pairs: [string, string][],
  options: { strict: boolean; defaultCount: number; maxCount: number; systemSearch?: boolean },
): SearchRequest {
  const req: SearchRequest = {
    parameters: [],
    sort: [],
    count: options.defaultCount,
    include: [],
    revinclude: [],
    ignored: [],
  };
  const seen = new Set<string>();
  const once = (name: string) => {
    if (seen.has(name)) throw badRequest(`${name} may be given once`, name);
    seen.add(name);
  };
  const ignore = (name: string, why: string) => {
    const message = `Parameter '${name}' ignored: ${why}`;
    if (options.strict) throw FhirError.of('not-supported', 'not-supported', message, name);
    req.ignored.push({ name, message });
  };

  const counted = pairs.filter(([name]) => !FORMAT_PARAMETERS.has(name));
  if (counted.length > MAX_PARAMETERS) {
    const name = counted[MAX_PARAMETERS][0];
    throw tooCostly(`A search takes at most ${MAX_PARAMETERS} parameters, got ${counted.length}`, name);
  }
  for (const [name, value] of counted) {
    const base = name.split(':')[0];
    switch (base) {
      case '_count': {
        once('_count');
        if (!/^[0-9]+$/.test(value)) throw badRequest(`_count must be a non-negative integer, got '${value}'`, '_count');
        req.count = Math.min(Number(value), options.maxCount);
        continue;
      }
      case '_page':
        once('_page');
        req.page = value;
        continue;
      case '_sort': {
        once('_sort');
        checkValues(name, value.split(','));
        for (const part of value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          const descending = part.startsWith('-');
          const code = descending ? part.slice(1) : part;
          if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(code)) throw badRequest(`_sort: '${part}' is not a search parameter`, '_sort');
          req.sort.push({ code, descending });
        }
        continue;
      }
      case '_total':
        once('_total');
        if (value !== 'none' && value !== 'estimate' && value !== 'accurate') {
          ignore(name, `_total must be none, estimate or accurate, got '${value}'`);
          continue;
        }
        req.total = value;
        continue;
      case '_summary':
        once('_summary');
        if (!['true', 'false', 'count', 'data', 'text'].includes(value)) {
          ignore(name, `_summary must be true, false, count, data or text, got '${value}'`);
          continue;
        }
        req.summary = value as SummaryMode;
        continue;
      case '_elements':
        once('_elements');
        checkValues(name, value.split(','));
        req.elements = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        continue;
      case '_include':
      case '_revinclude': {
        const modifier = name.slice(base.length + 1);
        if (modifier && modifier !== 'iterate' && modifier !== 'recurse') {
          ignore(name, `unknown modifier ':${modifier}'`);
          continue;
        }
        const spec = parseInclude(value, modifier !== '');
        if (!spec) {
          ignore(name, `'${value}' is not [type]:[reference parameter of type](:[targetType]) or *`);
          continue;
        }
        (base === '_include' ? req.include : req.revinclude).push(spec);
        continue;
      }
      case '_type':
        if (!options.systemSearch) break; // on a type search `_type` is an ordinary (unknown) parameter
        once('_type');
        checkValues(name, value.split(','));
        req.types = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        continue;
    }
    if (UNSUPPORTED_RESULT_PARAMETERS.has(base)) {
      ignore(name, 'not supported by this server');
      continue;
    }
    req.parameters.push({ name, value });
  }
  return req;
}

function parseInclude(value: string, iterate: boolean): IncludeSpec | undefined {
  if (value === '*') return { sourceType: '*', param: '*', iterate };
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_*-]+$/.test(p))) return undefined;
  const [sourceType, param, targetType] = parts;
  // Names are looked up as the definitions' own entries only (never `constructor` or `__proto__`).
  if (sourceType !== '*' && !isResourceType(sourceType)) return undefined;
  if (sourceType !== '*' && param !== '*' && searchParameterOf(sourceType, param)?.type !== 'reference') return undefined;
  if (targetType !== undefined && !isResourceType(targetType)) return undefined;
  return targetType ? { sourceType, param, targetType, iterate } : { sourceType, param, iterate };
}

/**
 * `code:modifier.chain` -> parts; `_has:Type:param:rest` is handled by the caller.
 * The chain is everything after the first `.` (it may hold further modifiers and chains).
 */
export function splitName(name: string): { code: string; modifier?: string; chain?: string } {
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  const chain = dot < 0 ? undefined : name.slice(dot + 1);
  const colon = head.indexOf(':');
  const code = colon < 0 ? head : head.slice(0, colon);
  const modifier = colon < 0 ? undefined : head.slice(colon + 1);
  return { code, ...(modifier !== undefined ? { modifier } : {}), ...(chain !== undefined ? { chain } : {}) };
}
