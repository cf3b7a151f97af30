/**
 * Chooses which ordered index answers a MongoDB filter, as MongoDB's planner would for the simple cases:
 * leading index fields bound by equality / `$in`, then at most one field bound by a range or an anchored
 * regex prefix. The plan only narrows the candidates; every candidate is still tested against the whole
 * filter with MongoDB semantics (mingo), so a loose plan costs time, never correctness.
 */
import type { Filter, IndexSpec } from '../port.ts';

export type KeyValue = string | number | boolean | null;

/** Bounds on one index field. `prefix` is a string-prefix range (from `{$regex: /^abc/}`). */
export interface FieldBound {
  values?: KeyValue[];
  lower?: { value: KeyValue; inclusive: boolean };
  upper?: { value: KeyValue; inclusive: boolean };
  prefix?: string;
}

export interface IndexPlan {
  index: IndexSpec;
  /** One bound per leading index field that the filter constrains, in index order. */
  bounds: FieldBound[];
}

/** Collects the conditions that must all hold (top level and nested `$and`), field by field. */
export function conjunctiveConditions(filter: Filter): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const visit = (f: Filter): void => {
    for (const [key, cond] of Object.entries(f)) {
      if (key === '$and' && Array.isArray(cond)) {
        for (const sub of cond) visit(sub as Filter);
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

/** The best index for the filter: most leading fields bound, equality before range. */
export function chooseIndex(filter: Filter, indexes: IndexSpec[]): IndexPlan | undefined {
  const conditions = conjunctiveConditions(filter);
  let best: IndexPlan | undefined;
  let bestScore = 0;
  for (const index of indexes) {
    const bounds: FieldBound[] = [];
    let score = 0;
    const boundHeads = new Set<string>();
    for (const field of index.fields) {
      // Index keys pair the fields of one array element (`dt.p`, `dt.lo`), but separate conditions on dotted
      // paths may be met by different elements: as MongoDB does, bound only the first field of such a group.
      const head = field.includes('.') ? field.split('.')[0] : undefined;
      if (head && boundHeads.has(head)) break;
      if (head) boundHeads.add(head);
      const conds = conditions.get(field);
      const bound = conds?.map(boundOf).find((b) => b !== undefined);
      if (!bound) break;
      bounds.push(bound);
      score += bound.values ? 2 : 1;
      if (!bound.values) break;
    }
    if (score > bestScore) {
      best = { index, bounds };
      bestScore = score;
    }
  }
  return best;
}
