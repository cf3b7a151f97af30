/**
 * What a token gets: each requested scope narrowed to what the allowed scopes (a client's registered maximum, a
 * refresh token's original grant) cover. Never wider than either side: the type, the interactions and the
 * granular query of a grant are each the narrower of the two (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html:
 * "the server MAY grant fewer scopes than requested").
 */
import type { Interaction } from './access.ts';
import { formatScope, INTERACTIONS, parseScopes, type ResourceScope } from './scopes.ts';

type Granted = Pick<ResourceScope, 'context' | 'resourceType' | 'query'> & { interactions: Set<Interaction> };

/** Space-separated granted scopes, in the order requested, without repeats. */
export function grantScopes(requested: string, allowed: string): string {
  const have = parseScopes(allowed);
  const out: string[] = [];
  const haveNonResource = new Set(have.nonResource.map((s) => s.text));
  for (const text of requested.split(/\s+/).filter(Boolean)) {
    const want = parseScopes(text);
    for (const scope of want.nonResource) if (haveNonResource.has(scope.text)) out.push(scope.text);
    for (const scope of want.resource) out.push(...grantOne(scope, have.resource));
  }
  return [...new Set(out)].join(' ');
}

/** One requested scope against every allowed one; the parts with the same type and query are merged. */
function grantOne(scope: ResourceScope, allowed: ResourceScope[]): string[] {
  const parts = new Map<string, Granted>();
  for (const a of allowed) {
    const part = intersect(scope, a);
    if (!part) continue;
    const key = formatScope({ ...part, interactions: new Set() });
    const same = parts.get(key);
    if (same) for (const i of part.interactions) same.interactions.add(i);
    else parts.set(key, part);
  }
  return [...parts.values()].map((part) => (isWhole(part, scope) ? scope.text : formatScope(part)));
}

function intersect(want: ResourceScope, have: ResourceScope): Granted | undefined {
  if (want.context !== have.context) return undefined;
  let resourceType: string;
  if (have.resourceType === '*' || have.resourceType === want.resourceType) resourceType = want.resourceType;
  else if (want.resourceType === '*') resourceType = have.resourceType;
  else return undefined;
  const interactions = new Set(INTERACTIONS.filter((i) => want.interactions.has(i) && have.interactions.has(i)));
  if (interactions.size === 0) return undefined;
  // Granular queries AND their parameters, so a grant under both holds both (a narrowing, never a widening).
  const query = mergeQueries(want.query, have.query);
  return { context: want.context, resourceType, interactions, ...(query ? { query } : {}) };
}

function mergeQueries(a: [string, string][] | undefined, b: [string, string][] | undefined): [string, string][] | undefined {
  if (!a) return b;
  if (!b) return a;
  const seen = new Set(a.map(([n, v]) => `${n}=${v}`));
  return [...a, ...b.filter(([n, v]) => !seen.has(`${n}=${v}`))];
}

/** Granted exactly as asked: then the client sees its own spelling back (a v1 `.read` stays `.read`). */
function isWhole(part: Granted, scope: ResourceScope): boolean {
  return (
    part.resourceType === scope.resourceType &&
    part.interactions.size === scope.interactions.size &&
    (part.query?.length ?? 0) === (scope.query?.length ?? 0)
  );
}
