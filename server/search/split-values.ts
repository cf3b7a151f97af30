/**
 * Splitting and escaping of search parameter values (https://hl7.org/fhir/R4/search.html#escaping):
 * `,` separates values (OR), `|` separates the parts of a token, quantity or canonical, `$` the parts of a
 * composite; `\,`, `\|`, `\$` and `\\` stand for the literal characters. Also the regex escaping every
 * compiled filter uses, so that search values stay data and never become patterns or operators.
 */
import type { Filter } from '../store/port.ts';

/** Splits on every `separator` not preceded by a backslash; the parts keep their escapes. */
export function splitEscaped(text: string, separator: ',' | '|' | '$'): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** `\,` `\|` `\$` `\\` -> the literal character; any other backslash stays as written. */
export function unescapeValue(text: string): string {
  return text.replace(/\\([\\,|$])/g, '$1');
}

/** The comma-separated values of one parameter, still escaped (their `|` parts are split later). */
export function splitValues(value: string): string[] {
  return splitEscaped(value, ',');
}

/** The `|`-separated parts of one value, unescaped. */
export function splitParts(value: string): string[] {
  return splitEscaped(value, '|').map(unescapeValue);
}

/** Escapes every regular expression metacharacter: the text matches itself only. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A regex matching values that start with `text` (anchored: the store's planner turns it into a key range). */
export function prefixRegex(text: string): RegExp {
  return new RegExp(`^${escapeRegex(text)}`);
}

/** OR of filters (comma = OR within one parameter). */
export function anyOf(filters: Filter[]): Filter {
  return filters.length === 1 ? filters[0] : { $or: filters };
}
