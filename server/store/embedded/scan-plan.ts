/**
 * Query planning of the embedded store: how a read finds its candidates (by primary key, through the index whose
 * bounds hold the fewest keys, several intersected, or by scanning the collection), as MongoDB's planner chooses
 * by racing its plans. Plans only narrow the candidates; every candidate is still tested against the whole filter.
 */
import type { Database, Key } from 'lmdb';
import type { Filter, FindOptions, IndexSpec, StoredDocument } from '../port.ts';
import type { Matcher } from './equality-match.ts';
import { boundOf, conjunctiveConditions, indexPlans, type IndexPlan, type KeyValue } from './index-plan.ts';
import { keyValue, MAX_KEY_STRING } from './index-keys.ts';
import type { OpenIndex } from './open-index.ts';
import { equalityPrefixes, exactKey, scanIndex } from './scan-index.ts';

/** The open indexes of one collection. */
export interface CollectionIndexes {
  all: OpenIndex[];
  /** The indexes on top-level fields only, more fields first (`tinyExactScan`). */
  lookup: OpenIndex[];
  bySpec: Map<IndexSpec, OpenIndex>;
}

/** How a read finds its candidates: by primary key, through one index, or by scanning the collection. */
export type ScanPlan =
  | { kind: 'id'; ids: string[] }
  /**
   * `ids`: the plan's `_id`s in scan order when counting already read them; `also`: other index plans whose
   * `_id`s the candidates must be among (index intersection).
   */
  | { kind: 'index'; open: OpenIndex; plan: IndexPlan; ids?: string[]; also?: { open: OpenIndex; plan: IndexPlan; ids?: string[] }[] }
  | { kind: 'collection' };

/** Candidate plans whose keys are counted before choosing, and the count beyond which plans tie. */
const PLANS_COUNTED = 8;
const COUNT_CAP = 2000;
/** A plan with at most this many keys, and this many times the best plan's, is intersected with it. */
const INTERSECT_MAX_KEYS = 500;
const INTERSECT_RATIO = 20;

/**
 * The cheapest way to the candidates: `_id`s given by the filter, or of the indexes that bind it the one
 * whose bounds hold the fewest keys (counted up to COUNT_CAP; LMDB counts one key's values natively), or the
 * collection. MongoDB chooses alike by racing its candidate plans.
 */
export function planScan(indexes: CollectionIndexes, filter: Filter): ScanPlan {
  const top = idLookup(filter);
  if (top) return { kind: 'id', ids: top };
  const open = indexes.all;
  const conditions = conjunctiveConditions(filter);
  if (!conditions.has('_id')) {
    const tiny = tinyExactScan(indexes.lookup, conditions);
    if (tiny) return tiny;
  }
  const nested = conjunctiveIds(conditions);
  const singleValued = (spec: IndexSpec, position: number, withinElement: boolean) => {
    const multi = indexes.bySpec.get(spec)?.multi;
    return !!multi && !(withinElement ? multi.perElement[position] : multi.perDocument[position]);
  };
  const usable = indexPlans(
    filter,
    open.map((o) => o.spec),
    singleValued,
    conditions,
  ).filter((p) => readsNoOmittedKey(indexes.bySpec.get(p.index)!, p));
  const bound = distinctPlans(usable).slice(0, PLANS_COUNTED);
  // Exact keys first: LMDB counts them natively, and a small count caps the scans counted after them.
  const plans = [...bound.filter(exactKeys), ...bound.filter((p) => !exactKeys(p))];
  let best: ScanPlan = nested ? { kind: 'id', ids: nested } : { kind: 'collection' };
  if (plans.length === 0) return best;
  if (!nested && plans.length === 1) return { kind: 'index', open: indexes.bySpec.get(plans[0].index)!, plan: plans[0] };
  let bestKeys = nested ? nested.length : Infinity;
  const counted: { index: OpenIndex; plan: IndexPlan; keys: number; ids?: string[] }[] = [];
  for (const plan of plans) {
    const index = indexes.bySpec.get(plan.index)!;
    // Counted far enough to know whether the plan is worth intersecting with the best (see below).
    const { keys, ids } = countKeys(
      index,
      plan,
      Math.min(COUNT_CAP, bestKeys === Infinity ? COUNT_CAP : Math.max(bestKeys * INTERSECT_RATIO, INTERSECT_MAX_KEYS) + 1),
    );
    counted.push({ index, plan, keys, ids });
    if (keys < bestKeys || (bestKeys === Infinity && best.kind === 'collection')) {
      best = { kind: 'index', open: index, plan, ids };
      bestKeys = keys;
    }
  }
  if (best.kind !== 'index' || bestKeys < 4) return best;
  // Index intersection (MongoDB's AND_SORTED): reading index keys costs far less than reading a document, so
  // other plans with few keys narrow the best one's candidates before any document is read.
  const chosen = best.plan;
  const also = counted.filter((c) => c.plan !== chosen && c.keys <= INTERSECT_MAX_KEYS && c.keys <= bestKeys * INTERSECT_RATIO);
  return also.length === 0 ? best : { ...best, also: also.map((c) => ({ open: c.index, plan: c.plan, ids: c.ids })) };
}

/** The documents that may match, as `scan` finds them. */
export function* candidates(docs: Database<StoredDocument, string>, filter: Filter, scan: ScanPlan): Generator<StoredDocument> {
  if (scan.kind === 'id') {
    for (const id of scan.ids) {
      const doc = docs.get(id);
      if (doc) yield doc;
    }
    return;
  }
  if (scan.kind === 'collection') {
    const { start, beyond } = idRange(filter);
    for (const { key, value } of docs.getRange(start === undefined ? {} : { start })) {
      if (beyond(key)) break;
      yield value;
    }
    return;
  }
  const seen = new Set<string>();
  const within = (scan.also ?? []).map(({ open, plan, ids }) => new Set(ids ?? scanIndex(open.db, plan)));
  for (const id of scan.ids ?? scanIndex(scan.open.db, scan.plan, idStart(filter))) {
    if (seen.has(id) || !within.every((ids) => ids.has(id))) continue;
    seen.add(id);
    const doc = docs.get(id);
    if (doc) yield doc;
  }
}

/** `_id` equality or `$in` at the top level: answered by primary key. */
export function idLookup(filter: Filter): string[] | undefined {
  const cond = filter._id;
  if (typeof cond === 'string') return [cond];
  if (cond && typeof cond === 'object' && !Array.isArray(cond)) {
    const ops = cond as Record<string, unknown>;
    if (Object.keys(ops).length === 1 && typeof ops.$eq === 'string') return [ops.$eq];
    // Each document once, as MongoDB returns it, however often its `_id` is listed.
    if (Object.keys(ops).length === 1 && Array.isArray(ops.$in) && ops.$in.every((v) => typeof v === 'string'))
      return [...new Set(ops.$in as string[])];
  }
  return undefined;
}

/** `_id` equality or `$in` among the conditions that must all hold (e.g. the matches of a `_has`), sorted. */
function conjunctiveIds(conditions: Map<string, unknown[]>): string[] | undefined {
  let ids: string[] | undefined;
  for (const cond of conditions.get('_id') ?? []) {
    const found = idLookup({ _id: cond });
    if (found && (!ids || found.length < ids.length)) ids = found;
  }
  return ids && [...ids].sort();
}

/** The lowest `_id` a match may have, from an `_id` `$gt`/`$gte` that must hold (a keyset page on `_id`). */
export function idStart(filter: Filter): string | undefined {
  let start: string | undefined;
  for (const cond of conjunctiveConditions(filter).get('_id') ?? []) {
    if (!cond || typeof cond !== 'object' || Array.isArray(cond) || cond instanceof RegExp) continue;
    const ops = cond as Record<string, unknown>;
    for (const v of [ops.$gt, ops.$gte]) if (typeof v === 'string' && (start === undefined || v > start)) start = v;
  }
  return start;
}

/**
 * The plan's key ranges hold no key left out of the index: it bounds a field after the first to values other
 * than null, or by a range or prefix (which null is never within). A document missing that field cannot match.
 */
function readsNoOmittedKey(index: OpenIndex, plan: IndexPlan): boolean {
  return !index.omits || plan.bounds.some((b, i) => i > 0 && !b.values?.includes(null));
}

/** Exact keys counted at most by `tinyExactScan` before it leaves the choice to the full planner. */
const TINY_COUNTED = 8;

/**
 * One exact key with at most one entry (a lookup by identifier): its one candidate, if any, is the only document
 * that can match, so no other plan can leave fewer to test and the result is the same whichever plan reads it;
 * taken without enumerating and counting every plan. Only indexes on top-level fields, each bound by an equality
 * that must hold, in the order the planner counts exact keys; the first with the fewest entries.
 */
function tinyExactScan(indexes: OpenIndex[], conditions: Map<string, unknown[]>): ScanPlan | undefined {
  let best: { index: OpenIndex; plan: IndexPlan } | undefined;
  let bestKeys = 2;
  let counted = 0;
  for (const index of indexes) {
    const key: KeyValue[] = [];
    for (const field of index.spec.fields) {
      const value = equalityOf(conditions.get(field));
      if (value === undefined) break;
      key.push(value);
    }
    if (key.length < index.spec.fields.length) continue;
    if (++counted > TINY_COUNTED) return undefined;
    const keys = index.db.getValuesCount(key.map(keyValue) as Key);
    if (keys < bestKeys) {
      best = { index, plan: { index: index.spec, bounds: key.map((v) => ({ values: [v] })), score: 2 * key.length } };
      bestKeys = keys;
      if (keys === 0) break;
    }
  }
  return best && { kind: 'index', open: best.index, plan: best.plan };
}

/** The value of the first plain equality (a string, boolean or finite number) among a field's conditions. */
function equalityOf(conds: unknown[] | undefined): KeyValue | undefined {
  for (const cond of conds ?? []) {
    const values = boundOf(cond)?.values;
    const v = values?.length === 1 ? values[0] : undefined;
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  }
  return undefined;
}

/** True when the scan yields documents in `_id` order. */
export function inIdOrder(scan: ScanPlan): boolean {
  if (scan.kind !== 'index') return scan.kind === 'collection' || scan.ids.every((id, i) => i === 0 || scan.ids[i - 1] < id);
  return exactKey(scan.plan);
}

/**
 * The filter is nothing but equalities (in `$and`s) on the fields of the plan's one exact key, with the values
 * of that key: every entry under the key is a match and every match has one entry there.
 */
export function coveredBy(filter: Filter, plan: IndexPlan): boolean {
  if (!exactKey(plan)) return false;
  const fields = plan.index.fields;
  const covered = (f: Filter): boolean =>
    Object.entries(f).every(([field, cond]) => {
      if (field === '$and') return Array.isArray(cond) && cond.every((c) => covered(c as Filter));
      const i = fields.indexOf(field);
      const value = i < 0 ? undefined : plan.bounds[i].values![0];
      // Scalars only (no operator, regex or null), and no string long enough to be cut in the key.
      return value !== undefined && value !== null && cond === value && !(typeof cond === 'string' && cond.length >= MAX_KEY_STRING);
    });
  return covered(filter);
}

/** Every field of the index bound by equality or `$in`: whole keys, counted natively. */
function exactKeys(plan: IndexPlan): boolean {
  return plan.bounds.length === plan.index.fields.length && plan.bounds.every((b) => b.values);
}

/**
 * Drops the plans not worth counting: one that binds the same fields as an earlier plan with the same bounds
 * (e.g. `resourceType` alone, on every index), or a strict subset of another plan's bound fields (its
 * candidates include all of the other's).
 */
function distinctPlans(plans: IndexPlan[]): IndexPlan[] {
  const signatures = plans.map((p) => new Set(p.bounds.map((b, i) => `${p.index.fields[i]}=${JSON.stringify(b)}`)));
  const subset = (a: Set<string>, b: Set<string>) => a.size < b.size && [...a].every((x) => b.has(x));
  const seen = new Set<string>();
  return plans.filter((p, i) => {
    const signature = JSON.stringify([exactKey(p), [...signatures[i]]]);
    if (seen.has(signature) || signatures.some((other) => subset(signatures[i], other))) return false;
    seen.add(signature);
    return true;
  });
}

/**
 * How many index entries the plan scans: exact keys counted natively by LMDB, other ranges by scanning them
 * up to `cap` (Infinity beyond: too many to be worth knowing; among such plans the better bound one wins).
 */
function countKeys(index: OpenIndex, plan: IndexPlan, cap: number): { keys: number; ids?: string[] } {
  if (exactKeys(plan)) {
    let n = 0;
    for (const key of equalityPrefixes(plan.bounds)) n += index.db.getValuesCount(key as Key);
    return { keys: n };
  }
  // The `_id`s scanned are kept: the chosen plan's candidates, or an intersection's set, without scanning again.
  const ids: string[] = [];
  for (const id of scanIndex(index.db, plan)) if (ids.push(id) >= cap) return { keys: Infinity };
  return { keys: ids.length, ids };
}

/**
 * The primary-key range that a top-level `_id` condition ($gt/$gte/$lt/$lte) allows: where to start and when
 * a key is past the end. Only narrows the scan; mingo still checks the exact bounds.
 */
function idRange(filter: Filter): { start?: string; beyond: (key: Key) => boolean } {
  const cond = filter._id;
  const none = { beyond: () => false };
  if (!cond || typeof cond !== 'object' || Array.isArray(cond) || cond instanceof RegExp) return none;
  const ops = cond as Record<string, unknown>;
  const lower = [ops.$gt, ops.$gte].find((v): v is string => typeof v === 'string');
  const upper = [ops.$lt, ops.$lte].find((v): v is string => typeof v === 'string');
  return { start: lower, beyond: upper === undefined ? none.beyond : (key) => typeof key === 'string' && key > upper };
}

/** No sort, or ascending `_id` only. */
export function isIdOrder(sort: FindOptions['sort']): boolean {
  const keys = Object.keys(sort ?? {});
  return keys.length === 0 || (keys.length === 1 && sort!._id === 1);
}

/** The matching documents of an ordered scan after `skip`, stopping once `limit` are found. */
export function takeMatching<T>(matches: Matcher, docs: Iterable<StoredDocument>, skip: number, limit: number | undefined): T[] {
  const out: T[] = [];
  if (limit === 0) return out;
  for (const doc of docs) {
    if (!matches(doc)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(doc as unknown as T);
    if (out.length === limit) break;
  }
  return out;
}
