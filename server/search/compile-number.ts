/**
 * Number and quantity search (https://hl7.org/fhir/R4/search.html#number, #quantity, #prefix) over `num`
 * elements `{p, lo, hi, u}` (stored values are points: lo = hi = the value; `u` = `system|code`, and a
 * quantity whose `unit` differs from its code has a second point with `u` = `|unit`, search-index/extract.ts).
 * - eq / ne / ap use the search value's implicit precision: `100` means [99.5, 100.5), `100.00` means
 *   [99.995, 100.005), `1e2` means [50, 150) (half a unit of the last significant digit).
 * - gt / lt / ge / le / sa / eb compare with the exact value ("the implicit precision of the number is ignored").
 * - ap: within 10% of the value (the spec's suggestion), or the precision range when that is wider.
 * - quantity `number|system|code` matches `u` exactly; `number||code` matches the code in any system or the unit.
 */
import { badRequest, notSupported } from '../errors/fhir-error.ts';
import type { Filter } from '../store/port.ts';
import { splitPrefix } from './compile-date.ts';
import { anyOf, escapeRegex, splitParts, splitValues } from './split-values.ts';

const NUMBER = /^[+-]?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The value and half the unit of its last significant digit. */
export function parseNumber(code: string, text: string): { value: number; half: number } {
  const m = NUMBER.exec(text);
  if (!m) throw badRequest(`'${text}' is not a number for '${code}'`, code);
  const decimals = m[2]?.length ?? 0;
  const exponent = m[3] ? Number(m[3]) : 0;
  return { value: Number(text), half: 0.5 * 10 ** (exponent - decimals) };
}

function numberConditions(code: string, raw: string): Filter[] {
  const [prefix, text] = splitPrefix(raw);
  const { value, half } = parseNumber(code, text);
  const lo = value - half;
  const hi = value + half;
  switch (prefix) {
    case 'eq':
      return [{ lo: { $gte: lo, $lt: hi }, hi: { $gte: lo, $lt: hi } }];
    case 'ne':
      return [{ lo: { $lt: lo } }, { hi: { $gte: hi } }];
    case 'gt':
      return [{ hi: { $gt: value } }];
    case 'lt':
      return [{ lo: { $lt: value } }];
    case 'ge':
      return [{ hi: { $gte: value } }];
    case 'le':
      return [{ lo: { $lte: value } }];
    case 'sa':
      return [{ lo: { $gt: value } }];
    case 'eb':
      return [{ hi: { $lt: value } }];
    case 'ap': {
      const delta = Math.max(Math.abs(value) * 0.1, half);
      return [{ lo: { $lte: value + delta }, hi: { $gte: value - delta } }];
    }
  }
}

export function compileNumber(code: string, modifier: string | undefined, value: string): Filter {
  if (modifier !== undefined) throw notSupported(`Modifier ':${modifier}' is not supported on number parameter '${code}'`, code);
  const alternatives = splitValues(value).flatMap((v) => {
    const parts = splitParts(v);
    if (parts.length !== 1) throw badRequest(`'${v}' is not a number for '${code}'`, code);
    return numberConditions(code, parts[0]);
  });
  return { 'num.p': code, ...anyOf(alternatives.map((c) => ({ num: { $elemMatch: { p: code, ...c } } }))) };
}

export function compileQuantity(code: string, modifier: string | undefined, value: string): Filter {
  if (modifier !== undefined) throw notSupported(`Modifier ':${modifier}' is not supported on quantity parameter '${code}'`, code);
  const alternatives = splitValues(value).flatMap((v) => {
    const parts = splitParts(v);
    if (parts.length !== 1 && parts.length !== 3) {
      throw badRequest(`A quantity is [prefix]number[|system|code]: '${v}' for '${code}'`, code);
    }
    const [number, system, unit] = parts;
    let u: Filter = {};
    if (parts.length === 3 && unit !== '') u = { u: system === '' ? new RegExp(`\\|${escapeRegex(unit)}$`) : `${system}|${unit}` };
    else if (parts.length === 3 && system !== '') throw badRequest(`A quantity with a system needs a code: '${v}' for '${code}'`, code);
    return numberConditions(code, number).map((c) => ({ ...c, ...u }));
  });
  return { 'num.p': code, ...anyOf(alternatives.map((c) => ({ num: { $elemMatch: { p: code, ...c } } }))) };
}
