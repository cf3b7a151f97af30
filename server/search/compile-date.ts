/**
 * Date search (https://hl7.org/fhir/R4/search.html#date and #prefix). Both the search value and the target
 * are ranges (a value covers the whole period of its precision; a Period its start to its end, open ends
 * reaching to the beginning or end of time). With S = [slo, shi] the search range and T = [tlo, thi] the
 * target range (inclusive instants, UTC):
 * - eq: S fully contains T (tlo >= slo and thi <= shi)
 * - ne: S does not fully contain T
 * - gt: the range above S overlaps T (thi > shi); lt: the range below S overlaps T (tlo < slo)
 * - ge: gt or eq; le: lt or eq
 * - sa: T does not overlap S and lies above it (tlo > shi); eb: T lies below it (thi < slo)
 * - ap: T overlaps S widened on each side by 10% of the distance between that end and now (the spec's
 *   suggestion: "the recommended value is 10% of the gap between now and the date"), as HAPI FHIR does.
 * Search values with a time zone are converted to UTC; values without one are read as UTC.
 */
import { badRequest, notSupported } from '../errors/fhir-error.ts';
import { dateRange } from '../search-index/date-range.ts';
import type { Filter } from '../store/port.ts';
import { anyOf, splitValues, unescapeValue } from './split-values.ts';

export const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type Prefix = (typeof PREFIXES)[number];

/** Splits a leading comparison prefix off a date or number value (default `eq`). */
export function splitPrefix(value: string): [Prefix, string] {
  const head = value.slice(0, 2);
  if ((PREFIXES as readonly string[]).includes(head)) return [head as Prefix, value.slice(2)];
  return ['eq', value];
}

type Op = '$gt' | '$gte' | '$lt' | '$lte';
/** One alternative: all of its conditions must hold on the same target (field, operator, value). */
type Conjunction = [field: 'lo' | 'hi', op: Op, value: string][];

/** The alternatives (OR of ANDs) for one prefixed value, over the target's `lo` and `hi`. */
export function dateAlternatives(code: string, raw: string, now = Date.now()): Conjunction[] {
  const [prefix, text] = splitPrefix(unescapeValue(raw));
  // A '+' of a time zone arrives as a space when the client did not percent-encode it.
  const range = dateRange(text.replace(/ (\d{2}:\d{2})$/, '+$1'));
  if (!range) throw badRequest(`'${raw}' is not a date (yyyy-mm-ddThh:mm:ss[Z|(+|-)hh:mm]) for '${code}'`, code);
  const { lo, hi } = range;
  // `lo <= shi` follows from `hi <= shi` (every target has lo <= hi) but bounds the index scan on `dt.lo` at
  // both ends, so an `eq` search reads only the keys within the search range.
  const within: Conjunction = [
    ['lo', '$gte', lo],
    ['lo', '$lte', hi],
    ['hi', '$lte', hi],
  ];
  switch (prefix) {
    case 'eq':
      return [within];
    case 'ne':
      return [[['lo', '$lt', lo]], [['hi', '$gt', hi]]];
    case 'gt':
      return [[['hi', '$gt', hi]]];
    case 'lt':
      return [[['lo', '$lt', lo]]];
    case 'ge':
      return [[['hi', '$gt', hi]], within];
    case 'le':
      return [[['lo', '$lt', lo]], within];
    case 'sa':
      return [[['lo', '$gt', hi]]];
    case 'eb':
      return [[['hi', '$lt', lo]]];
    case 'ap': {
      const loMs = Date.parse(lo);
      const hiMs = Date.parse(hi);
      const wideLo = new Date(loMs - Math.abs(now - loMs) * 0.1).toISOString();
      const wideHi = new Date(hiMs + Math.abs(now - hiMs) * 0.1).toISOString();
      return [
        [
          ['lo', '$lte', wideHi],
          ['hi', '$gte', wideLo],
        ],
      ];
    }
  }
}

function conditions(conj: Conjunction, field: (f: 'lo' | 'hi') => string): Filter {
  const out: Record<string, Record<string, string>> = {};
  for (const [f, op, v] of conj) (out[field(f)] ??= {})[op] = v;
  return out;
}

/** A date parameter over `dt` elements `{p, lo, hi}`: one element must satisfy every condition of an alternative. */
export function compileDate(code: string, modifier: string | undefined, value: string, now = Date.now()): Filter {
  if (modifier !== undefined) throw notSupported(`Modifier ':${modifier}' is not supported on date parameter '${code}'`, code);
  const alternatives = splitValues(value).flatMap((v) => dateAlternatives(code, v, now));
  // `dt.p` beside the $elemMatch is redundant for matching but lets the planner use the (resourceType, dt.p) index.
  return { 'dt.p': code, ...anyOf(alternatives.map((conj) => ({ dt: { $elemMatch: { p: code, ...conditions(conj, (f) => f) } } }))) };
}

/** `_lastUpdated`: the document's `lastUpdated` instant (a point: lo = hi). */
export function compileLastUpdated(code: string, modifier: string | undefined, value: string, now = Date.now()): Filter {
  if (modifier !== undefined) throw notSupported(`Modifier ':${modifier}' is not supported on '${code}'`, code);
  const alternatives = splitValues(value).flatMap((v) => dateAlternatives(code, v, now));
  return anyOf(alternatives.map((conj) => conditions(conj, () => 'lastUpdated')));
}
