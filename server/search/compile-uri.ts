/**
 * URI search (https://hl7.org/fhir/R4/search.html#uri): exact match by default; `:below` finds stored URIs
 * that start with the search value; `:above` finds stored URIs the search value starts with (every prefix of
 * the search value, as one `$in`, so the index answers it).
 */
import { badRequest, notSupported } from '../errors/fhir-error.ts';
import type { Filter } from '../store/port.ts';
import { anyOf, prefixRegex, splitValues, unescapeValue } from './split-values.ts';

export function compileUri(code: string, modifier: string | undefined, value: string): Filter {
  const values = splitValues(value).map(unescapeValue);
  if (values.some((v) => v === '')) throw badRequest(`Empty uri value for '${code}'`, code);
  switch (modifier) {
    case undefined:
      return values.length === 1 ? { uri: `${code}|${values[0]}` } : { uri: { $in: values.map((v) => `${code}|${v}`) } };
    case 'below':
      return anyOf(values.map((v) => ({ uri: prefixRegex(`${code}|${v}`) })));
    case 'above': {
      const prefixes = new Set<string>();
      for (const v of values) for (let i = 1; i <= v.length; i++) prefixes.add(`${code}|${v.slice(0, i)}`);
      return { uri: { $in: [...prefixes] } };
    }
    default:
      throw notSupported(`Modifier ':${modifier}' is not supported on uri parameter '${code}'`, code);
  }
}
