/**
 * SMART scopes, v1 and v2 (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html): a scope string
 * becomes a resource scope, a non-resource (launch/identity) scope, or an ignored one with the reason. Anything
 * malformed is ignored, never read as something wider.
 */
import { splitName } from '../search/parse-search.ts';
import { searchParameterOf } from '../search/search-parameter.ts';
import { isResourceType } from '../validation/definitions.ts';
import type { Interaction } from './access.ts';

export type ScopeContext = 'patient' | 'user' | 'system';

/** SMART v2's order of the interaction letters; a v2 scope must list them in it (`.rs`, never `.sr`). */
export const INTERACTIONS: readonly Interaction[] = ['c', 'r', 'u', 'd', 's'];

export interface ResourceScope {
  kind: 'resource';
  /** The scope exactly as written. */
  text: string;
  context: ScopeContext;
  /** A resource type, or `*` for every type. */
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
  /** A granular scope's search parameters (`?category=...`), `[name, value]` as decoded; ANDed. */
  query?: [string, string][];
  /** 1 for `.read` / `.write` / `.*`, 2 for `.cruds` letters. */
  version: 1 | 2;
}

/** Scopes that ask for context or identity rather than resources. */
export const NON_RESOURCE_SCOPES: readonly string[] = [
  'openid',
  'fhirUser',
  'profile',
  'launch',
  'launch/patient',
  'launch/encounter',
  'offline_access',
  'online_access',
];

export interface NonResourceScope {
  kind: 'non-resource';
  text: string;
}

export interface IgnoredScope {
  kind: 'ignored';
  text: string;
  /** Why, in a sentence (for a log line or an error description; holds no patient data). */
  reason: string;
}

export type ParsedScope = ResourceScope | NonResourceScope | IgnoredScope;

export interface ParsedScopes {
  resource: ResourceScope[];
  nonResource: NonResourceScope[];
  ignored: IgnoredScope[];
}

/** v1 permissions (scopes-and-launch-context.html#scopes-for-requesting-fhir-resources, "SMART 1.0"). */
const V1: Record<string, readonly Interaction[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': INTERACTIONS };

const SCOPE = /^(patient|user|system)\/([A-Za-z]+|\*)\.([^?]+)(?:\?(.*))?$/;

export function parseScope(text: string): ParsedScope {
  if (NON_RESOURCE_SCOPES.includes(text)) return { kind: 'non-resource', text };
  const m = SCOPE.exec(text);
  if (!m) return ignored(text, 'not a SMART scope (context/Type.permissions)');
  const [, context, resourceType, permissions, queryText] = m;
  if (resourceType !== '*' && !isResourceType(resourceType)) return ignored(text, `unknown resource type '${resourceType}'`);
  const interactions = parsePermissions(permissions);
  if (!interactions)
    return ignored(text, `permissions '${permissions}' are neither read, write, * nor SMART v2 letters c r u d s in that order`);
  const version = permissions in V1 ? 1 : 2;
  const scope: ResourceScope = { kind: 'resource', text, context: context as ScopeContext, resourceType, interactions, version };
  if (queryText === undefined) return scope;
  if (version === 1) return ignored(text, 'a granular query needs SMART v2 permissions');
  if (resourceType === '*') return ignored(text, 'a granular query needs a resource type, not *');
  const query = parseQuery(resourceType, queryText);
  if (typeof query === 'string') return ignored(text, query);
  return { ...scope, query };
}

export function parseScopes(scope: string): ParsedScopes {
  const out: ParsedScopes = { resource: [], nonResource: [], ignored: [] };
  for (const text of scope.split(/\s+/).filter(Boolean)) {
    const parsed = parseScope(text);
    if (parsed.kind === 'resource') out.resource.push(parsed);
    else if (parsed.kind === 'non-resource') out.nonResource.push(parsed);
    else out.ignored.push(parsed);
  }
  return out;
}

/** SMART v2 spelling: `patient/Observation.rs?category=...` (the query percent-encoded where it must be). */
export function formatScope(scope: Pick<ResourceScope, 'context' | 'resourceType' | 'interactions' | 'query'>): string {
  const letters = INTERACTIONS.filter((i) => scope.interactions.has(i)).join('');
  const query = scope.query?.length ? `?${scope.query.map(([n, v]) => `${encodeQueryPart(n)}=${encodeQueryPart(v)}`).join('&')}` : '';
  return `${scope.context}/${scope.resourceType}.${letters}${query}`;
}

/** Keeps `|`, `:` and `/` readable (token systems are URLs), escapes what would break the query or the scope list. */
function encodeQueryPart(text: string): string {
  return encodeURIComponent(text).replace(/%7C/gi, '|').replace(/%3A/gi, ':').replace(/%2F/gi, '/');
}

/** `read` / `write` / `*` (v1) or SMART v2 letters in order -> the interactions; undefined when malformed. */
export function parsePermissions(permissions: string): Set<Interaction> | undefined {
  if (permissions in V1) return new Set(V1[permissions]);
  // Each letter at most once and in SMART's order: the position in `INTERACTIONS` must rise strictly.
  let last = -1;
  const out = new Set<Interaction>();
  for (const letter of permissions) {
    const at = INTERACTIONS.indexOf(letter as Interaction);
    if (at <= last) return undefined;
    last = at;
    out.add(letter as Interaction);
  }
  return out.size > 0 ? out : undefined;
}

/**
 * `name=value&name=value`: each a plain search parameter of the type (no chain, `_has` or `_list`, which would
 * need other resources to decide), with an optional modifier. Returns the reason when it cannot be used.
 */
export function parseQuery(resourceType: string, queryText: string): [string, string][] | string {
  let pairs: [string, string][];
  try {
    pairs = queryText.split('&').map((part) => {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new Error('no =');
      return [decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))];
    });
  } catch {
    return 'the granular query is not name=value pairs';
  }
  for (const [name, value] of pairs) {
    const { code, chain } = splitName(name);
    if (chain !== undefined || name.startsWith('_has') || code === '_list')
      return `granular parameter '${name}' must be a plain search parameter`;
    if (!searchParameterOf(resourceType, code)) return `'${code}' is not a search parameter of ${resourceType}`;
    if (value === '') return `granular parameter '${name}' has no value`;
  }
  return pairs;
}

function ignored(text: string, reason: string): IgnoredScope {
  return { kind: 'ignored', text, reason };
}
