/**
 * Index keys of a document, as MongoDB builds them: one key per combination of values of the index's fields,
 * arrays (and arrays of sub-documents on a dotted path) expanded (multikey), a missing field indexed as null.
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

export function indexKeys(doc: unknown, fields: string[]): KeyValue[][] {
  let keys: KeyValue[][] = [[]];
  for (const field of fields) {
    const values = [...new Set(valuesAtPath(doc, field.split('.')))];
    const options: KeyValue[] = values.length > 0 ? values : [null];
    keys = keys.flatMap((k) => options.map((v) => [...k, v]));
  }
  return keys;
}
