/**
 * AND and OR over access filters, where `{}` is "everything" and undefined is "nothing" (access.ts `filter`).
 * Simplifying here keeps the common cases (`system/*.*`, a doctor's read) as `{}`, which the read paths pass
 * through without touching the query.
 */
import type { Filter } from '../store/port.ts';

const isEverything = (f: Filter) => Object.keys(f).length === 0;

/** Nothing when any part is nothing; `{}` parts drop out; a part repeated (the same object) counts once. */
export function allOf(parts: readonly (Filter | undefined)[]): Filter | undefined {
  if (parts.some((p) => p === undefined)) return undefined;
  const kept = [...new Set(parts as Filter[])].filter((p) => !isEverything(p));
  if (kept.length === 0) return {};
  return kept.length === 1 ? kept[0] : { $and: kept };
}

/** Nothing when there are no parts (or all are nothing); everything when any part is everything. */
export function anyOf(parts: readonly (Filter | undefined)[]): Filter | undefined {
  const kept = [...new Set(parts.filter((p): p is Filter => p !== undefined))];
  if (kept.length === 0) return undefined;
  if (kept.some(isEverything)) return {};
  return kept.length === 1 ? kept[0] : { $or: kept };
}
