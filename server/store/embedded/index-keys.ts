/**
 * Index keys of a document, as MongoDB builds them: one key per combination of values of the index's fields,
 * arrays expanded (multikey), a missing field indexed as null. Fields inside one array of sub-documents
 * (`dt.p`, `dt.lo`) are keyed element by element, never crossed between elements, as in MongoDB.
 */
import type { KeyValue } from './index-plan.ts';

/** LMDB keys are limited to 1,978 bytes; longer strings are cut (the full filter still decides). */
export const MAX_KEY_STRING = 400;

export function keyValue(v: KeyValue): KeyValue {
  return typeof v === 'string' && v.length > MAX_KEY_STRING ? v.slice(0, MAX_KEY_STRING) : v;
}

/** Every scalar value at a dotted path, descending through arrays. */
export function valuesAtPath(doc: unknown, path: string[]): KeyValue[] {
  if (path.length === 0) {
    if (Array.isArray(doc)) return doc.flatMap((d) => valuesAtPath(d, path));
    if (doc === undefined || doc === null) return [];
    return typeof doc === 'object' ? [] : [keyValue(doc as KeyValue)];
  }
  if (Array.isArray(doc)) return doc.flatMap((d) => valuesAtPath(d, path));
  if (doc === null || typeof doc !== 'object') return [];
  return valuesAtPath((doc as Record<string, unknown>)[path[0]], path.slice(1));
}

/** Every field after the first is null: the key of a document without them (`[resourceType, null]`). */
export function missingAfterFirst(key: KeyValue[]): boolean {
  for (let i = 1; i < key.length; i++) if (key[i] !== null) return false;
  return key.length > 1;
}

/** `paths` are the index's fields split on dots (split once per index, not per document). */
export function indexKeys(doc: unknown, paths: string[][]): KeyValue[][] {
  let keys: KeyValue[][] = [[]];
  for (let i = 0; i < paths.length;) {
    const head = paths[i][0];
    const value = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[head] : undefined;
    let options: KeyValue[][];
    if (paths[i].length > 1 && Array.isArray(value)) {
      let j = i;
      while (j < paths.length && paths[j].length > 1 && paths[j][0] === head) j++;
      const inner = paths.slice(i, j).map((p) => p.slice(1));
      options = unique(value.flatMap((element) => indexKeys(element, inner)));
      if (options.length === 0) options = [inner.map(() => null)];
      i = j;
    } else {
      const values = [...new Set(valuesAtPath(doc, paths[i]))];
      options = values.length > 0 ? values.map((v) => [v]) : [[null]];
      i++;
    }
    keys = keys.length === 1 ? options.map((o) => [...keys[0], ...o]) : keys.flatMap((k) => options.map((o) => [...k, ...o]));
  }
  return keys;
}

function unique(keys: KeyValue[][]): KeyValue[][] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const s = JSON.stringify(k);
    if (seen.has(s)) return false;
    seen.add(s);
    return true;
  });
}

/** Per index field: some document (`perDocument`) or some array element (`perElement`) has held several values there. */
export interface MultiValued {
  perDocument: boolean[];
  perElement: boolean[];
}

/**
 * Records in `multi` the index fields where this document holds several distinct values (`perDocument`), or
 * one element of the array a dotted field lies in does (`perElement`, e.g. `dt.lo` within one `dt` element);
 * true when a flag changed. A range on a field without several values may use both of its ends (index-plan.ts
 * `SingleValued`). Flags once set stay set, so only the unset ones are looked at, without collecting values.
 */
export function markMultiValued(multi: MultiValued, doc: unknown, paths: string[][]): boolean {
  let changed = false;
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i];
    let inDocument: boolean | undefined;
    if (!multi.perDocument[i]) {
      inDocument = holdsSeveral(doc, p, 0);
      if (inDocument) multi.perDocument[i] = changed = true;
    }
    if (multi.perElement[i]) continue;
    let several: boolean;
    if (p.length < 2) several = inDocument ?? holdsSeveral(doc, p, 0);
    else {
      const head = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[p[0]] : undefined;
      several = Array.isArray(head) ? head.some((element) => holdsSeveral(element, p, 1)) : holdsSeveral(head, p, 1);
    }
    if (several) multi.perElement[i] = changed = true;
  }
  return changed;
}

/** Whether `valuesAtPath(doc, path.slice(depth))` holds two distinct values, stopping at the second. */
function holdsSeveral(doc: unknown, path: string[], depth: number): boolean {
  let first: KeyValue | undefined;
  let seen = false;
  return someValueAtPath(doc, path, depth, (v) => {
    if (!seen) {
      seen = true;
      first = v;
      return false;
    }
    // SameValueZero, as a Set compares (NaN equals NaN).
    return v !== first && !(v !== v && first !== first);
  });
}

/** Visits the values `valuesAtPath(doc, path.slice(depth))` lists, in its order, until `visit` returns true. */
function someValueAtPath(doc: unknown, path: string[], depth: number, visit: (v: KeyValue) => boolean): boolean {
  if (Array.isArray(doc)) {
    for (const d of doc) if (someValueAtPath(d, path, depth, visit)) return true;
    return false;
  }
  if (doc === undefined || doc === null) return false;
  if (depth === path.length) return typeof doc !== 'object' && visit(keyValue(doc as KeyValue));
  if (typeof doc !== 'object') return false;
  return someValueAtPath((doc as Record<string, unknown>)[path[depth]], path, depth + 1, visit);
}
