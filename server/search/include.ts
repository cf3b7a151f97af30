/**
 * `_include` and `_revinclude` (https://hl7.org/fhir/R4/search.html#include): the resources the matches refer
 * to, and the resources that refer to the matches, added with `search.mode = include`. `:iterate` (and R3's
 * `:recurse`) apply again to included resources. Beyond `MAX_INCLUDE_ROUNDS` rounds (a further round would
 * still add resources) or `MAX_INCLUDES` included resources per page the search is 400 too-costly (limits.ts).
 */
import { getResourceTypes } from '@medplum/core';
import type { Access } from '../access/access.ts';
import { NOTHING, restrict } from '../access/enforce.ts';
import { tooCostly } from '../errors/fhir-error.ts';
import type { ResourceDocument } from '../store/documents.ts';
import type { Filter, Store } from '../store/port.ts';
import { localReference } from './execute-search.ts';
import type { IncludeSpec } from './parse-search.ts';
import { MAX_INCLUDE_ROUNDS, MAX_INCLUDES } from './limits.ts';
import { escapeRegex } from './split-values.ts';
import { yieldTurn } from './yield-turn.ts';

export async function findIncludes(
  store: Store,
  baseUrl: string,
  access: Access,
  matches: ResourceDocument[],
  include: IncludeSpec[],
  revinclude: IncludeSpec[],
): Promise<ResourceDocument[]> {
  if (include.length === 0 && revinclude.length === 0) return [];
  const seen = new Set(matches.map((d) => d._id));
  const included: ResourceDocument[] = [];
  let round: ResourceDocument[] = matches;
  // One round past the limit only to learn whether it would add anything.
  for (let i = 0; i <= MAX_INCLUDE_ROUNDS && round.length > 0; i++) {
    const forward = include.filter((s) => i === 0 || s.iterate);
    const reverse = revinclude.filter((s) => i === 0 || s.iterate);
    const found: ResourceDocument[] = [];
    if (forward.length === 0 && reverse.length === 0) break;
    const add = (docs: ResourceDocument[]) => {
      for (const doc of docs) {
        if (seen.has(doc._id)) continue;
        if (i === MAX_INCLUDE_ROUNDS)
          throw tooCostly(`_include/_revinclude :iterate needs more than ${MAX_INCLUDE_ROUNDS} rounds`, iterateName(include, revinclude));
        if (included.length + found.length >= MAX_INCLUDES) {
          throw tooCostly(
            `_include/_revinclude add more than ${MAX_INCLUDES} resources to the page; lower _count or narrow them`,
            i === 0 ? firstName(include) : iterateName(include, revinclude),
          );
        }
        seen.add(doc._id);
        found.push(doc);
      }
    };
    const targets = new Set<string>();
    const readable = (type: string) => access.filter(type, 'r');
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
    // Only what the caller may read is included: per target type its own filter, a type it may not read left out.
    const byType = new Map<string, string[]>();
    for (const target of targets) {
      const type = target.slice(0, target.indexOf('/'));
      byType.set(type, [...(byType.get(type) ?? []), target]);
    }
    const or: Filter[] = [];
    for (const [type, ids] of byType) {
      const allowed = readable(type);
      if (allowed) or.push(restrict({ _id: { $in: ids } }, allowed));
    }
    if (or.length > 0) {
      await yieldTurn();
      add(
        await store.find<ResourceDocument>(
          'resources',
          { $and: [or.length === 1 ? or[0] : { $or: or }, { deleted: false }] },
          { sort: { _id: 1 }, limit: MAX_INCLUDES + 1 },
        ),
      );
    }
    for (const spec of reverse) {
      const sources = round.map((d) => d._id);
      const filter: Filter = { deleted: false };
      if (spec.sourceType !== '*') filter.resourceType = spec.sourceType;
      if (spec.param === '*') {
        // Anchored at the start (a code has no `|`): one attempt per value, not one per character.
        filter.ref = { $regex: `^[^|]*\\|(?:${sources.map(escapeRegex).join('|')})$` };
      } else {
        filter.ref = { $in: sources.map((id) => `${spec.param}|${id}`) };
      }
      await yieldTurn();
      add(
        await store.find<ResourceDocument>('resources', revincludeFilter(access, spec.sourceType, filter), {
          sort: { _id: 1 },
          limit: MAX_INCLUDES + 1,
        }),
      );
    }
    included.push(...found);
    round = found;
  }
  return included;
}

/**
 * What a caller may read of the sources of a `_revinclude`: one type's filter, or with `*` every type it may read
 * (a restricted caller: only types with a filter; the types of the sources are not known before the query).
 */
function revincludeFilter(access: Access, sourceType: string, filter: Filter): Filter {
  if (access.unrestricted) return filter;
  if (sourceType !== '*') {
    const allowed = access.filter(sourceType, 'r');
    return allowed ? restrict(filter, allowed) : NOTHING;
  }
  const or: Filter[] = [];
  for (const type of getResourceTypes()) {
    const allowed = access.filter(type, 'r');
    if (allowed) or.push(restrict({ resourceType: type }, allowed));
  }
  return or.length > 0 ? { $and: [filter, { $or: or }] } : NOTHING;
}

/** The parameter a too-costly include names: the first one given, or the first iterating one. */
function firstName(include: IncludeSpec[]): string {
  return include.length > 0 ? '_include' : '_revinclude';
}

function iterateName(include: IncludeSpec[], revinclude: IncludeSpec[]): string {
  return include.some((s) => s.iterate)
    ? '_include:iterate'
    : revinclude.some((s) => s.iterate)
      ? '_revinclude:iterate'
      : firstName(include);
}
