/**
 * The index keys of index-keys.ts `indexKeys`, computed by a function compiled once per index: the write path
 * computes them for every index of every stored document. Covers the shapes Fhirline declares (top-level fields,
 * and fields of one array of sub-documents such as `dt.p`, `dt.lo`); any other index uses `indexKeys` itself.
 * The keys are the same, in the same order (index-keys.test.ts compares the two on generated documents).
 */
import type { KeyValue } from './index-plan.ts';
import { indexKeys, keyValue } from './index-keys.ts';

export type IndexKeysOf = (doc: unknown) => KeyValue[][];

/**
 * A top-level field (no `subs`), or consecutive fields `head.sub` of one sub-document (keyed element by element).
 * A part's options are kept flat: `subs.length` values (1 for a field) per option.
 */
type Part = { head: string; subs?: string[] };

export function compileIndexKeys(paths: string[][]): IndexKeysOf {
  const generic: IndexKeysOf = (doc) => indexKeys(doc, paths);
  if (paths.some((p) => p.length === 0 || p.length > 2)) return generic;
  const parts: Part[] = [];
  for (const p of paths) {
    const last = parts[parts.length - 1];
    if (p.length === 1) parts.push({ head: p[0] });
    else if (last?.subs && last.head === p[0]) last.subs.push(p[1]);
    else parts.push({ head: p[0], subs: [p[1]] });
  }
  const widths = parts.map((part) => part.subs?.length ?? 1);
  return (doc) => {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return generic(doc);
    const options: KeyValue[][] = [];
    for (const part of parts) {
      const value = (doc as Record<string, unknown>)[part.head];
      if (part.subs) options.push(groupOptions(value, part.subs));
      else options.push(fieldOptions(value));
    }
    return combinations(options, widths);
  };
}

/** The distinct values of a field, in order (as `[...new Set(...)]`); one null when it has none. */
function fieldOptions(value: unknown): KeyValue[] {
  const values: KeyValue[] = [];
  addScalars(value, values);
  distinct(values);
  if (values.length === 0) values.push(null);
  return values;
}

/** Every key: one option of each part, the first part's varying slowest. */
function combinations(options: KeyValue[][], widths: number[]): KeyValue[][] {
  const keys: KeyValue[][] = [];
  if (options.length === 2 && widths[0] === 1 && widths[1] === 1) {
    // `[resourceType, field]`, most of the indexes.
    const [first, second] = options;
    for (const a of first) for (const b of second) keys.push([a, b]);
    return keys;
  }
  const counts = options.map((o, p) => o.length / widths[p]);
  const at = counts.map(() => 0);
  for (;;) {
    const key: KeyValue[] = [];
    for (let p = 0; p < options.length; p++) for (let i = at[p] * widths[p], end = i + widths[p]; i < end; i++) key.push(options[p][i]);
    keys.push(key);
    let p = options.length - 1;
    while (p >= 0 && ++at[p] === counts[p]) at[p--] = 0;
    if (p < 0) return keys;
  }
}

/**
 * The options of the fields `subs` of a sub-document field: per array element the combinations of its own
 * values, distinct across elements (as JSON text, like `indexKeys`); one of nulls for an empty array.
 * A value that is no array is one element (`indexKeys` keys each field apart, which makes the same options).
 */
function groupOptions(value: unknown, subs: string[]): KeyValue[] {
  const out: KeyValue[] = [];
  if (!Array.isArray(value)) {
    addElementOptions(value, subs, out, undefined);
    return out;
  }
  if (value.length === 0) return subs.map(() => null);
  const seen = new Set<string>();
  for (const element of value) addElementOptions(element, subs, out, seen);
  return out;
}

/** Adds one element's combinations of the distinct values of each of `subs` (null for none) not `seen` yet. */
function addElementOptions(element: unknown, subs: string[], out: KeyValue[], seen: Set<string> | undefined): void {
  const lists = subs.map((sub) => {
    const values: KeyValue[] = [];
    addFieldScalars(element, sub, values);
    distinct(values);
    if (values.length === 0) values.push(null);
    return values;
  });
  const at = lists.map(() => 0);
  for (;;) {
    const option = lists.map((values, i) => values[at[i]]);
    const identity = seen && keyIdentity(option);
    if (!seen || !seen.has(identity!)) {
      seen?.add(identity!);
      for (const v of option) out.push(v);
    }
    let i = lists.length - 1;
    while (i >= 0 && ++at[i] === lists[i].length) at[i--] = 0;
    if (i < 0) return;
  }
}

/** Adds the values `valuesAtPath(doc, [field])` lists to `out`. */
function addFieldScalars(doc: unknown, field: string, out: KeyValue[]): void {
  if (Array.isArray(doc)) for (const d of doc) addFieldScalars(d, field, out);
  else if (doc !== null && typeof doc === 'object') addScalars((doc as Record<string, unknown>)[field], out);
}

/** Adds the values `valuesAtPath(value, [])` lists to `out`. */
function addScalars(value: unknown, out: KeyValue[]): void {
  if (Array.isArray(value)) {
    for (const v of value) addScalars(v, out);
    return;
  }
  if (value === undefined || value === null || typeof value === 'object') return;
  // -0 as 0, as a Set keeps it.
  out.push(value === 0 ? 0 : keyValue(value as KeyValue));
}

/** Drops repeated values in place, keeping first occurrences, as `[...new Set(values)]` does. */
function distinct(values: KeyValue[]): void {
  if (values.length < 2) return;
  if (values.length > 16) {
    const unique = [...new Set(values)];
    for (let i = 0; i < unique.length; i++) values[i] = unique[i];
    values.length = unique.length;
    return;
  }
  // Compared as a Set compares (SameValueZero: NaN equals NaN); cheaper than a Set for a few values.
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let repeated = false;
    for (let j = 0; j < n; j++) if (values[j] === v || (v !== v && values[j] !== values[j])) repeated = true;
    if (!repeated) values[n++] = v;
  }
  values.length = n;
}

/**
 * A text that two index keys share exactly when their JSON texts are equal (NaN and Infinity are JSON null),
 * without writing JSON: what the write path compares keys by.
 */
export function keyIdentity(key: KeyValue[]): string {
  let s = '';
  for (const v of key) {
    if (typeof v === 'string') s += `s${v.length}:${v}`;
    else if (typeof v === 'number') s += Number.isFinite(v) ? `n${v}:` : 'z';
    else if (v === null) s += 'z';
    else if (typeof v === 'boolean') s += v ? 't' : 'f';
    else {
      const json = JSON.stringify(v);
      s += json === undefined ? 'z' : `j${json.length}:${json}`;
    }
  }
  return s;
}
