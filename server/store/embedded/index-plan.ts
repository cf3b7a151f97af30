/**
 * Chooses which ordered index answers a MongoDB filter, as MongoDB's planner would for the simple cases:
 * leading index fields bound by equality / `$in`, then at most one field bound by a range or an anchored
 * regex prefix. The plan only narrows the candidates; every candidate is still tested against the whole
 * filter with MongoDB semantics (mingo), so a loose plan costs time, never correctness.
 *
 * `indexPlans` lists every usable index, best bound first; the store then picks among them by how many keys
 * each would scan (embedded-store.ts), as MongoDB races its candidate plans.
 */
import type { Filter, IndexSpec } from '../port.ts';

export type KeyValue = string | number | boolean | null;

/** Bounds on one index field. `prefix` is a string-prefix range (from `{$regex: /^abc/}`). */
export interface FieldBound {
  values?: KeyValue[];
  lower?: { value: KeyValue; inclusive: boolean };
  upper?: { value: KeyValue; inclusive: boolean };
  prefix?: string;
  /**
   * Both ends of the range bound one and the same value, so the scan may stop at the upper one. Not so on a
   * field with several values per document (multikey), where `{$gt: a, $lt: b}` holds when one value is above
   * a and another below b.
   */
  intersect?: boolean;
}

export interface IndexPlan {
  index: IndexSpec;
  /** One bound per leading index field that the filter constrains, in index order. */
  bounds: FieldBound[];
  /** 2 per equality-bound field, 1 for a range: the more, the narrower the plan before counting keys. */
  score: number;
}

/**
 * Whether a range on field `position` of `index` may use both ends: no document (`withinElement`: no single
 * element of the array the field lies in, for bounds from one `$elemMatch`) has two values there.
 */
export type SingleValued = (index: IndexSpec, position: number, withinElement: boolean) => boolean;

/** Collects the conditions that must all hold (top level and nested `$and`), field by field. */
export function conjunctiveConditions(filter: Filter): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const visit = (f: Filter): void => {
    for (const [key, cond] of Object.entries(f)) {
      // A one-branch `$or` (e.g. the keyset condition of a page sorted on `_id` alone) is a conjunction too.
      if ((key === '$and' || key === '$or') && Array.isArray(cond) && (key === '$and' || cond.length === 1)) {
        for (const sub of cond) visit(sub as Filter);
      } else if (key === '$or' && Array.isArray(cond)) {
        const covering = coveringRange(cond as Filter[]);
        if (covering) visit(covering);
      } else if (!key.startsWith('$')) {
        const list = out.get(key) ?? [];
        list.push(cond);
        out.set(key, list);
      }
    }
  };
  visit(filter);
  return out;
}

/**
 * An `$or` whose every branch bounds one and the same field (e.g. `_lastUpdated=ge...`: `{$gt: hi}` or
 * `{$gte: lo, $lte: hi}`) implies the range that covers all branches (`{$gte: lo}`), which can bound a scan;
 * the branches themselves are still tested on every candidate.
 */
function coveringRange(branches: Filter[]): Filter | undefined {
  let field: string | undefined;
  let lower: KeyValue | undefined;
  let upper: KeyValue | undefined;
  const open = { lower: false, upper: false };
  const types = new Set<string>();
  for (const branch of branches) {
    const keys = Object.keys(branch);
    if (keys.length !== 1 || keys[0].startsWith('$') || (field !== undefined && keys[0] !== field)) return undefined;
    field = keys[0];
    const b = boundOf(branch[field]);
    if (!b || b.prefix !== undefined) return undefined;
    const lo = b.values
      ? b.values.reduce((m, v) => (m === undefined || lessThan(v, m) ? v : m), undefined as KeyValue | undefined)
      : b.lower?.value;
    const hi = b.values
      ? b.values.reduce((m, v) => (m === undefined || lessThan(m, v) ? v : m), undefined as KeyValue | undefined)
      : b.upper?.value;
    for (const v of [lo, hi]) if (v !== undefined && v !== null) types.add(typeof v);
    if (lo === undefined || lo === null) open.lower = true;
    else if (lower === undefined || lessThan(lo, lower)) lower = lo;
    if (hi === undefined || hi === null) open.upper = true;
    else if (upper === undefined || lessThan(upper, hi)) upper = hi;
  }
  const range: Record<string, KeyValue> = {};
  if (!open.lower && lower !== undefined) range.$gte = lower;
  if (!open.upper && upper !== undefined) range.$lte = upper;
  // Bounds of different types do not make one range (MongoDB compares within a type only).
  return field !== undefined && Object.keys(range).length > 0 && types.size === 1 ? { [field]: range } : undefined;
}

/** `a < b` for two values of one type; false across types (their order is not a range). */
function lessThan(a: KeyValue, b: KeyValue): boolean {
  return a !== null && b !== null && typeof a === typeof b && a < b;
}

function isKeyValue(v: unknown): v is KeyValue {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Literal prefix of an anchored regex without alternation, e.g. `^abc\|de` -> `abc|de`; undefined if none. */
export function regexPrefix(source: string, flags: string): string | undefined {
  if (flags.includes('i') || flags.includes('m') || !source.startsWith('^')) return undefined;
  let prefix = '';
  for (let i = 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      prefix += next;
      i++;
    } else if ('.*+?()[]{}|$^'.includes(c)) {
      if ('*?{'.includes(c)) prefix = prefix.slice(0, -1);
      if (c === '|') return undefined;
      break;
    } else {
      prefix += c;
    }
  }
  return prefix.length > 0 ? prefix : undefined;
}

/** Turns one field condition into bounds, or undefined when the index cannot help with it. */
export function boundOf(cond: unknown): FieldBound | undefined {
  if (isKeyValue(cond)) return { values: [cond] };
  if (cond instanceof RegExp) {
    const prefix = regexPrefix(cond.source, cond.flags);
    return prefix === undefined ? undefined : { prefix };
  }
  if (typeof cond !== 'object' || Array.isArray(cond)) return undefined;
  const ops = cond as Record<string, unknown>;
  const bound: FieldBound = {};
  let useful = false;
  for (const [op, v] of Object.entries(ops)) {
    if (op === '$eq' && isKeyValue(v)) {
      bound.values = [v];
      useful = true;
    } else if (op === '$in' && Array.isArray(v) && v.length > 0 && v.every(isKeyValue)) {
      bound.values = v;
      useful = true;
    } else if ((op === '$gt' || op === '$gte') && isKeyValue(v) && v !== null) {
      bound.lower = { value: v, inclusive: op === '$gte' };
      useful = true;
    } else if ((op === '$lt' || op === '$lte') && isKeyValue(v) && v !== null) {
      bound.upper = { value: v, inclusive: op === '$lte' };
      useful = true;
    } else if (op === '$regex') {
      const source = v instanceof RegExp ? v.source : String(v);
      const flags = (v instanceof RegExp ? v.flags : '') + String(ops.$options ?? '');
      const prefix = regexPrefix(source, flags);
      if (prefix !== undefined) {
        bound.prefix = prefix;
        useful = true;
      }
    }
  }
  if (bound.values && (bound.lower || bound.upper || bound.prefix)) return { values: bound.values };
  return useful ? bound : undefined;
}

/**
 * The alternative bounds on one field, one per condition: each equality, else each range (or, with `intersect`,
 * all ranges merged into one). Every alternative alone narrows the candidates; the store may intersect them.
 */
function fieldBounds(conds: unknown[], intersect: boolean): FieldBound[] {
  const bounds = conds.map(boundOf).filter((b): b is FieldBound => b !== undefined);
  const equalities = bounds.filter((b) => b.values);
  if (equalities.length > 0) return equalities;
  if (bounds.length === 0 || !intersect) return bounds;
  const prefix = bounds.find((b) => b.prefix !== undefined);
  if (prefix) return [prefix];
  const merged: FieldBound = { intersect: true };
  for (const b of bounds) {
    if (b.lower && (!merged.lower || tighter(b.lower.value, merged.lower.value, 1))) merged.lower = b.lower;
    if (b.upper && (!merged.upper || tighter(b.upper.value, merged.upper.value, -1))) merged.upper = b.upper;
  }
  return [merged];
}

/** `a` is a tighter bound than `b` (same type; `direction` 1 for lower bounds, -1 for upper ones). */
function tighter(a: KeyValue, b: KeyValue, direction: 1 | -1): boolean {
  if (typeof a !== typeof b || a === null || b === null) return false;
  return direction === 1 ? a > b : a < b;
}

/** The `$elemMatch` documents of the conditions on an array field. */
function elemMatches(conds: unknown[] | undefined): Filter[] {
  return (conds ?? []).flatMap((c) => {
    const m = c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>).$elemMatch : undefined;
    return m && typeof m === 'object' && !Array.isArray(m) ? [m as Filter] : [];
  });
}

/** Alternatives per field beyond which further conditions are left to mingo. */
const MAX_ALTERNATIVES = 4;

/** The plans of one index for the filter: one per choice of bound on each field; none when it binds no leading field. */
function plansFor(index: IndexSpec, conditions: Map<string, unknown[]>, singleValued: SingleValued): IndexPlan[] {
  const plans: IndexPlan[] = [];
  const extend = (i: number, bounds: FieldBound[], score: number, boundHeads: Set<string>, element: Filter | undefined): void => {
    const done = () => {
      if (bounds.length > 0) plans.push({ index, bounds, score });
    };
    if (i === index.fields.length) return done();
    const field = index.fields[i];
    const head = field.includes('.') ? field.split('.')[0] : undefined;
    const sub = head ? field.slice(head.length + 1) : undefined;
    let conds: unknown[] | undefined;
    let withinElement = false;
    let nextElement = element;
    if (head && boundHeads.has(head)) {
      // Index keys pair the fields of one array element (`dt.p`, `dt.lo`), but separate conditions on dotted
      // paths may be met by different elements: as MongoDB does, bound later fields of the group only from the
      // one `$elemMatch` that bound the earlier ones (its conditions all hold on the same element).
      if (!element || !(sub! in element)) return done();
      conds = [element[sub!]];
      withinElement = true;
    } else if (head) {
      // An `$elemMatch` on the group that binds this field carries the group's next fields too.
      nextElement = elemMatches(conditions.get(head)).find((m) => sub! in m && boundOf(m[sub!]) !== undefined);
      conds = [...(conditions.get(field) ?? []), ...(nextElement ? [nextElement[sub!]] : [])];
    } else {
      conds = conditions.get(field);
    }
    const alternatives = conds ? fieldBounds(conds, singleValued(index, i, withinElement)).slice(0, MAX_ALTERNATIVES) : [];
    if (alternatives.length === 0) return done();
    const heads = head ? new Set([...boundHeads, head]) : boundHeads;
    for (const bound of alternatives) {
      if (bound.values) extend(i + 1, [...bounds, bound], score + 2, heads, nextElement);
      else plans.push({ index, bounds: [...bounds, bound], score: score + 1 });
    }
  };
  extend(0, [], 0, new Set(), undefined);
  return plans;
}

/** Every index that binds a leading field of the filter, the best bound first (equality before range). */
export function indexPlans(
  filter: Filter,
  indexes: IndexSpec[],
  singleValued: SingleValued = () => false,
  conditions: Map<string, unknown[]> = conjunctiveConditions(filter),
): IndexPlan[] {
  const plans = indexes.flatMap((index) => plansFor(index, conditions, singleValued));
  // Stable: among equal scores the index declared first wins, as before.
  return plans.sort((a, b) => b.score - a.score);
}
