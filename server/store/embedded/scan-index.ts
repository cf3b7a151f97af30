/**
 * Reading an index's key ranges in order (the embedded store's IXSCAN): the `_id`s under a plan's bounds, with
 * string keys compared as they are stored (cut to MAX_KEY_STRING).
 */
import type { Database, Key } from 'lmdb';
import type { FieldBound, IndexPlan, KeyValue } from './index-plan.ts';
import { keyValue, MAX_KEY_STRING } from './index-keys.ts';

/** Every field of the index bound to one value: one LMDB key, whose values (`_id`s) LMDB keeps sorted. */
export function exactKey(plan: IndexPlan): boolean {
  return plan.bounds.length === plan.index.fields.length && plan.bounds.every((b) => b.values?.length === 1);
}

export function equalityPrefixes(bounds: FieldBound[]): KeyValue[][] {
  let prefixes: KeyValue[][] = [[]];
  for (const b of bounds.filter((x) => x.values)) prefixes = prefixes.flatMap((p) => b.values!.map((v) => [...p, keyValue(v)]));
  return prefixes;
}

/**
 * The `_id`s under the plan's key ranges, in index order. `fromId`: on one exact key, start at that `_id` (the
 * values of one key are sorted), for keyset pages; elsewhere ignored (mingo checks it).
 */
export function* scanIndex(db: Database<string, Key>, plan: IndexPlan, fromId?: string): Generator<string> {
  const last = plan.bounds[plan.bounds.length - 1];
  // On an array (multikey) field `{$gt: a, $lt: b}` holds when one element is above a and another below b
  // (MongoDB semantics), so the two bounds cannot be intersected into one key range: scan from the lower bound
  // only, as MongoDB does on a multikey index, and let mingo check the upper one. The planner marks the bounds
  // that one value must meet (`intersect`: a field never multi-valued, or one `$elemMatch`).
  const range = last && !last.values ? (last.lower && last.upper && !last.intersect ? { ...last, upper: undefined } : last) : undefined;
  const prefixes = equalityPrefixes(plan.bounds);
  if (fromId !== undefined && exactKey(plan)) {
    // Skipped here rather than with a `start` value: lmdb-js cannot encode one for a `string`-encoded database.
    for (const id of db.getValues(prefixes[0] as Key)) if (id >= fromId) yield id;
    return;
  }
  for (const prefix of prefixes) {
    const start = range ? [...prefix, ...rangeStart(range)] : prefix;
    for (const entry of db.getRange({ start: start as Key })) {
      // lmdb-js encodes a one-element array key as its element, and reads it back so: a one-field index's keys.
      const key = Array.isArray(entry.key) ? (entry.key as KeyValue[]) : [entry.key as KeyValue];
      if (!startsWith(key, prefix)) break;
      if (range) {
        const v = key[prefix.length];
        const position = inRange(v, range);
        if (position === 'after') break;
        if (position === 'before') continue;
      }
      yield entry.value;
    }
  }
}

function rangeStart(range: FieldBound): KeyValue[] {
  if (range.prefix !== undefined) return [keyValue(range.prefix)];
  return range.lower ? [keyValue(range.lower.value)] : [];
}

function startsWith(key: KeyValue[], prefix: KeyValue[]): boolean {
  return prefix.every((v, i) => key[i] === v);
}

function inRange(v: KeyValue, range: FieldBound): 'before' | 'inside' | 'after' {
  if (range.prefix !== undefined) {
    const prefix = keyValue(range.prefix) as string;
    if (typeof v !== 'string') return 'after';
    return v.startsWith(prefix) ? 'inside' : v < prefix ? 'before' : 'after';
  }
  const type = typeof (range.lower ?? range.upper)!.value;
  if (typeof v !== type) return range.lower ? 'after' : 'before';
  const x = v as string | number;
  // Keys hold strings cut to MAX_KEY_STRING, so compare with the bounds cut the same way; a key equal to a cut
  // bound may stand for a longer value on either side of the bound, so it is a candidate (mingo decides).
  const exact = !(typeof x === 'string' && x.length >= MAX_KEY_STRING);
  if (range.lower) {
    const lo = keyValue(range.lower.value) as string | number;
    if (x < lo || (x === lo && !range.lower.inclusive && exact)) return 'before';
  }
  if (range.upper) {
    const hi = keyValue(range.upper.value) as string | number;
    if (x > hi || (x === hi && !range.upper.inclusive && exact)) return 'after';
  }
  return 'inside';
}
