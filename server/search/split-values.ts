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

interface TrieNode {
  next: Map<string, TrieNode>;
  end: boolean;
}

/**
 * A pattern that finds any of `texts` (literally) inside a string, as a trie (`zq(?:1|2)` rather than `zq1|zq2`): the regex engine
 * then rejects a position on its first character instead of trying every alternative in turn.
 */
export function anyLiteral(texts: string[]): string {
  const root: TrieNode = { next: new Map(), end: false };
  for (const text of texts) {
    let node = root;
    for (const ch of text) {
      let child = node.next.get(ch);
      if (!child) node.next.set(ch, (child = { next: new Map(), end: false }));
      node = child;
    }
    node.end = true;
  }
  // A text that another starts with already matches wherever the longer one would: its subtree is not needed.
  const emit = (node: TrieNode): string => {
    if (node.end) return '';
    const alternatives = [...node.next].map(([ch, child]) => escapeRegex(ch) + emit(child));
    return alternatives.length === 1 ? alternatives[0] : `(?:${alternatives.join('|')})`;
  };
  return emit(root);
}

/** A regex matching values that start with `text` (anchored: the store's planner turns it into a key range). */
export function prefixRegex(text: string): RegExp {
  return new RegExp(`^${escapeRegex(text)}`);
}

/** OR of filters (comma = OR within one parameter). */
export function anyOf(filters: Filter[]): Filter {
  return filters.length === 1 ? filters[0] : { $or: filters };
}
