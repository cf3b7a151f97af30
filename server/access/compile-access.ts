/**
 * A grant (a token's scopes, its client's registered maximum, its user's role and context) compiled into an
 * `Access` (access.ts). The effective rule is the intersection of three factors (README.md, "The intersection"):
 *
 *   filter(type, i) = OR(token scopes covering type,i)  AND  OR(client scopes covering type,i)  AND  OR(role rules covering type,i)
 *
 * each term being its granular query or criteria ANDed with its context (a patient compartment or `{}`).
 * Granular queries and criteria compile with the search compiler once per grant; the filter per (type,
 * interaction) is built on first use and kept in the Access.
 */
import type { Role } from '../engine/principal.ts';
import { FhirError } from '../errors/fhir-error.ts';
import { parameterFilter, type SearchScope } from '../search/execute-search.ts';
import type { Filter, Store } from '../store/port.ts';
import { isValidId } from '../validation/id-rule.ts';
import { UNRESTRICTED, type Access, type Interaction } from './access.ts';
import { inPatientCompartment, patientCompartmentFilter } from './compartment.ts';
import { allOf, anyOf } from './filter-algebra.ts';
import { configuredRolePolicies, type RolePolicies, type RolePolicy } from './role-policy.ts';
import { parseScopes, type ScopeContext } from './scopes.ts';

export interface Grant {
  /** Granted scopes, space-separated. */
  scope: string;
  /** The client's registered maximum (re-applied: a client narrowed later narrows its tokens). */
  clientScope: string;
  /** The signed-in user's role; undefined for a client acting for itself. */
  role?: Role;
  /** `Practitioner/1`, `Patient/2` */
  fhirUser?: string;
  /** Launch context Patient id (no type). */
  patient?: string;
  /** Client flagged admin, or user with role admin. */
  admin: boolean;
}

export interface AccessContext {
  store: Store;
  baseUrl: string;
}

/** One scope or role rule: what it allows, and the filter its query or criteria compiled to (per type). */
interface Term {
  /** `*` or the one type (scopes); the types (rules). */
  types: '*' | ReadonlySet<string>;
  interactions: ReadonlySet<Interaction>;
  /** A compiled granular query or criteria per type; a type missing here has none (`{}`). */
  query: ReadonlyMap<string, Filter | undefined>;
  context: ScopeContext | 'role';
  writableElements?: readonly string[];
}

/** How many compiled grants are kept (per store): each distinct grant compiles once, then LRU. */
export const MAX_CACHED_GRANTS = 1000;

const cache = new WeakMap<Store, Map<string, Promise<Access>>>();
const policyIds = new WeakMap<RolePolicies, number>();
let policyCount = 0;

/**
 * The Access of a grant, from a bounded cache keyed by the grant's fields (and the base URL and policies).
 * ValueSets named by `:in` in a granular query are expanded when the grant is first compiled.
 */
export function compileAccess(context: AccessContext, grant: Grant, policies: RolePolicies = configuredRolePolicies()): Promise<Access> {
  if (!policyIds.has(policies)) policyIds.set(policies, ++policyCount);
  const key = JSON.stringify([
    context.baseUrl,
    policyIds.get(policies),
    grant.scope,
    grant.clientScope,
    grant.role,
    grant.fhirUser,
    grant.patient,
    grant.admin,
  ]);
  let byKey = cache.get(context.store);
  if (!byKey) cache.set(context.store, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) {
    byKey.delete(key);
    byKey.set(key, hit); // most recently used last; the first is evicted
    return hit;
  }
  const compiled = compile(context, grant, policies);
  byKey.set(key, compiled);
  if (byKey.size > MAX_CACHED_GRANTS) byKey.delete(byKey.keys().next().value!);
  compiled.catch(() => byKey.delete(key));
  return compiled;
}

async function compile(context: AccessContext, grant: Grant, policies: RolePolicies): Promise<Access> {
  // The policy's own criteria compile unrestricted: they are what restricts.
  const search: SearchScope = { store: context.store, baseUrl: context.baseUrl, access: UNRESTRICTED, strict: true, ignored: [] };
  const policy: RolePolicy | undefined = grant.role && Object.hasOwn(policies.roles, grant.role) ? policies.roles[grant.role] : undefined;
  const tokenTerms = await scopeTerms(search, grant.scope, grant.role);
  const clientTerms = await scopeTerms(search, grant.clientScope, grant.role);
  // A role without a policy (a stored account older than a site's file) allows nothing, never everything.
  const roleTerms = grant.role === undefined ? undefined : policy ? await ruleTerms(search, policy) : [];
  const launchPatient = patientId(grant.patient);
  const self = selfPatient(grant.fhirUser, context.baseUrl);

  // One filter object per compartment, so that allOf/anyOf count it once when the token, the client and the role
  // each reach the same patient (their de-duplication is by identity): four copies made every search's filter
  // compile and match four times over (bench `auth`, patient user).
  const compartments = new Map<string, Filter | undefined>();
  const compartmentOf = (type: string, id: string): Filter | undefined => {
    const key = `${type}/${id}`;
    if (!compartments.has(key)) compartments.set(key, patientCompartmentFilter(type, id, context.baseUrl));
    return compartments.get(key);
  };
  /** A patient's resources of `type` for `i`: its compartment; outside it, read and search only. */
  const ofPatient = (id: string | undefined, type: string, i: Interaction): Filter | undefined => {
    if (id === undefined) return undefined;
    if (inPatientCompartment(type)) return compartmentOf(type, id);
    return i === 'r' || i === 's' ? {} : undefined;
  };
  const contextFilter = (term: Term, type: string, i: Interaction): Filter | undefined => {
    if (term.context === 'patient') return ofPatient(launchPatient, type, i);
    if (term.context === 'user') return grant.role === 'patient' ? ofPatient(self, type, i) : {};
    if (term.context === 'system' || policy?.compartment !== 'self') return {};
    // A self-compartment role's `*` means its own record: a type outside the compartment (Device, Bundle,
    // Binary may hold other patients' data) is read only when a rule names it.
    if (term.types === '*' && !inPatientCompartment(type)) return undefined;
    return ofPatient(self, type, i);
  };
  const factor = (terms: readonly Term[], type: string, i: Interaction) =>
    anyOf(terms.filter((t) => covers(t, type, i)).map((t) => allOf([queryOf(t, type), contextFilter(t, type, i)])));

  const memo = new Map<string, Filter | undefined>();
  const scopeContext = contextOfToken(tokenTerms, grant.role);
  return {
    unrestricted: false,
    admin: grant.admin,
    filter(type, i) {
      const key = `${type}.${i}`;
      if (!memo.has(key)) {
        const parts = [factor(tokenTerms, type, i), factor(clientTerms, type, i)];
        if (roleTerms) parts.push(factor(roleTerms, type, i));
        memo.set(key, allOf(parts));
      }
      return memo.get(key);
    },
    hiddenElements: (type) => policy?.hiddenElements[type] ?? [],
    writableElements(type) {
      // Limited only when every rule that allows the update limits it (a doctor's plain rule lifts a nurse's).
      const updating = (roleTerms ?? []).filter((t) => covers(t, type, 'u'));
      if (updating.length === 0 || updating.some((t) => !t.writableElements)) return undefined;
      return [...new Set(updating.flatMap((t) => t.writableElements!))];
    },
    missingScope: (type, i) => `${scopeContext}/${type}.${i}`,
  };
}

/** A term's compiled query for `type`: `{}` when it has none, undefined when it did not compile (nothing). */
function queryOf(term: Term, type: string): Filter | undefined {
  return term.query.has(type) ? term.query.get(type) : {};
}

function covers(term: Term, type: string, i: Interaction): boolean {
  return term.interactions.has(i) && (term.types === '*' || term.types.has(type));
}

/** `system/` scopes count only for a client acting for itself: a user's token is bounded by its role. */
async function scopeTerms(search: SearchScope, scope: string, role: Role | undefined): Promise<Term[]> {
  const terms: Term[] = [];
  for (const s of parseScopes(scope).resource) {
    if (s.context === 'system' && role !== undefined) continue;
    const query = new Map<string, Filter | undefined>();
    if (s.query) query.set(s.resourceType, await compileQuery(search, s.resourceType, s.query));
    terms.push({
      types: s.resourceType === '*' ? '*' : new Set([s.resourceType]),
      interactions: s.interactions,
      query,
      context: s.context,
    });
  }
  return terms;
}

async function ruleTerms(search: SearchScope, policy: RolePolicy): Promise<Term[]> {
  const terms: Term[] = [];
  for (const rule of policy.rules) {
    const query = new Map<string, Filter | undefined>();
    if (rule.criteria) for (const type of rule.resourceTypes) query.set(type, await compileQuery(search, type, rule.criteria));
    terms.push({
      types: rule.resourceTypes.includes('*') ? '*' : new Set(rule.resourceTypes),
      interactions: rule.interactions,
      query,
      context: 'role',
      ...(rule.writableElements ? { writableElements: rule.writableElements } : {}),
    });
  }
  return terms;
}

/**
 * The search compiler's filter for a granular query or criteria (parameters ANDed; values are data). One that
 * no longer compiles (a ValueSet since deleted) allows nothing, never everything.
 */
async function compileQuery(search: SearchScope, type: string, query: readonly [string, string][]): Promise<Filter | undefined> {
  try {
    const parts: Filter[] = [];
    for (const [name, value] of query) parts.push(await parameterFilter(search, type, { name, value }));
    return allOf(parts);
  } catch (err) {
    // Only the query's own fault; a store failure rejects the grant, which is then not cached.
    if (err instanceof FhirError) return undefined;
    throw err;
  }
}

/** `1` or `Patient/1` -> `1`; an invalid id -> undefined (no compartment, so nothing). */
function patientId(id: string | undefined): string | undefined {
  const bare = id?.startsWith('Patient/') ? id.slice('Patient/'.length) : id;
  return bare !== undefined && isValidId(bare) ? bare : undefined;
}

/** A `patient` user's own Patient id, from a fhirUser `Patient/2` or `[base]/Patient/2`. */
function selfPatient(fhirUser: string | undefined, baseUrl: string): string | undefined {
  const local = fhirUser?.startsWith(`${baseUrl}/`) ? fhirUser.slice(baseUrl.length + 1) : fhirUser;
  return local?.startsWith('Patient/') ? patientId(local) : undefined;
}

/** The context a missing scope is named in: the token's own (a user's `user/` before `patient/`). */
function contextOfToken(terms: readonly Term[], role: Role | undefined): ScopeContext {
  const has = (c: ScopeContext) => terms.some((t) => t.context === c);
  const order: ScopeContext[] = role ? ['user', 'patient'] : ['system', 'patient', 'user'];
  return order.find(has) ?? (role ? 'user' : 'system');
}
