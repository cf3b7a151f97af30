/**
 * String search (https://hl7.org/fhir/R4/search.html#string): by default the field "starts with" the value,
 * ignoring case and accents (`str` holds `param|normalised`, see normalize-string.ts); `:contains` matches
 * anywhere in the field (several values: one pattern); `:exact` matches the whole original text, case and accents included (`strx`), and is
 * looked up by its normalised form in `str`: every exact match has it, and `strx` has no index of its own.
 * A HumanName or Address is found by any of its parts (each part is its own stored value).
 */
import { badRequest, notSupported } from '../errors/fhir-error.ts';
import { normalizeString } from '../search-index/normalize-string.ts';
import type { Filter } from '../store/port.ts';
import { anyLiteral, anyOf, escapeRegex, prefixRegex, splitValues, unescapeValue } from './split-values.ts';

export function compileString(code: string, modifier: string | undefined, value: string): Filter {
  const values = splitValues(value).map(unescapeValue);
  switch (modifier) {
    case undefined:
      return anyOf(values.map((v) => ({ str: prefixRegex(`${code}|${normalized(code, v)}`) })));
    case 'contains':
      // One pattern for every value (one scan of the stored strings, not one per value); each value escaped.
      return { str: new RegExp(`^${escapeRegex(`${code}|`)}.*${anyLiteral(values.map((v) => normalized(code, v)))}`) };
    case 'exact':
      return values.length === 1
        ? { str: `${code}|${normalizeString(values[0])}`, strx: `${code}|${values[0]}` }
        : {
            str: { $in: [...new Set(values.map((v) => `${code}|${normalizeString(v)}`))] },
            strx: { $in: values.map((v) => `${code}|${v}`) },
          };
    default:
      throw notSupported(`Modifier ':${modifier}' is not supported on string parameter '${code}'`, code);
  }
}

function normalized(code: string, v: string): string {
  const n = normalizeString(v);
  if (!n) throw badRequest(`Empty string value for '${code}'`, code);
  return n;
}
