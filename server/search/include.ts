/**
 * `_include` and `_revinclude` (https://hl7.org/fhir/R4/search.html#include): the resources the matches refer
 * to, and the resources that refer to the matches, added with `search.mode = include`. `:iterate` (and R3's
 * `:recurse`) apply again to included resources, at most `MAX_ITERATIONS` rounds; at most `MAX_INCLUDES`
 * resources are included per page.
 */
import type { ResourceDocument } from '../store/documents.ts';
import type { Filter, Store } from '../store/port.ts';
import { localReference } from './execute-search.ts';
import type { IncludeSpec } from './parse-search.ts';
import { escapeRegex } from './split-values.ts';

export const MAX_INCLUDES = 1000;
const MAX_ITERATIONS = 5;

export async function findIncludes(
  store: Store,
  baseUrl: string,
  matches: ResourceDocument[],
  include: IncludeSpec[],
  revinclude: IncludeSpec[],
): Promise<ResourceDocument[]> {
  if (include.length === 0 && revinclude.length === 0) return [];
  const seen = new Set(matches.map((d) => d._id));
  const included: ResourceDocument[] = [];
  let round: ResourceDocument[] = matches;
  for (let i = 0; i < MAX_ITERATIONS && round.length > 0 && included.length < MAX_INCLUDES; i++) {
    const forward = include.filter((s) => i === 0 || s.iterate);
    const reverse = revinclude.filter((s) => i === 0 || s.iterate);
    const found: ResourceDocument[] = [];
    const add = (docs: ResourceDocument[]) => {
      for (const doc of docs) {
        if (seen.has(doc._id) || included.length + found.length >= MAX_INCLUDES) continue;
        seen.add(doc._id);
        found.push(doc);
      }
    };
    const targets = new Set<string>();
    for (const doc of round) {
      for (const spec of forward) {
        if (spec.sourceType !== '*' && spec.sourceType !== doc.resourceType) continue;
        for (const ref of doc.ref ?? []) {
          const bar = ref.indexOf('|');
          if (spec.param !== '*' && ref.slice(0, bar) !== spec.param) continue;
          const target = localReference(ref.slice(bar + 1), baseUrl);
          if (!target || (spec.targetType && !target.startsWith(`${spec.targetType}/`))) continue;
          if (!seen.has(target)) targets.add(target);
        }
      }
    }
    if (targets.size > 0) {
      add(await store.find<ResourceDocument>('resources', { _id: { $in: [...targets] }, deleted: false }, { sort: { _id: 1 }, limit: MAX_INCLUDES }));
    }
    for (const spec of reverse) {
      const sources = round.map((d) => d._id);
      const filter: Filter = { deleted: false };
      if (spec.sourceType !== '*') filter.resourceType = spec.sourceType;
      if (spec.param === '*') {
        filter.ref = { $regex: `\\|(${sources.map(escapeRegex).join('|')})$` };
      } else {
        filter.ref = { $in: sources.map((id) => `${spec.param}|${id}`) };
      }
      add(await store.find<ResourceDocument>('resources', filter, { sort: { _id: 1 }, limit: MAX_INCLUDES }));
    }
    included.push(...found);
    round = found;
  }
  return included;
}
