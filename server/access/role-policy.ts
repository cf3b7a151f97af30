/**
 * Role policies are data (role-policies.json, or a site's own file named by `ROLE_POLICIES`), read and checked
 * once at start: a mistake in them is an Error naming the file and the path to the bad value, never a rule that
 * silently allows more (README.md, "Role policies").
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FhirError } from '../errors/fhir-error.ts';
import { ROLES, type Role } from '../engine/principal.ts';
import { compileParameter } from '../search/compile-parameter.ts';
import { splitName } from '../search/parse-search.ts';
import { searchParameterOf } from '../search/search-parameter.ts';
import { isResourceType } from '../validation/definitions.ts';
import type { Interaction } from './access.ts';
import { parsePermissions, parseQuery } from './scopes.ts';

export const DEFAULT_ROLE_POLICIES = fileURLToPath(new URL('./role-policies.json', import.meta.url));

export interface RoleRule {
  /** Resource types, or `['*']` for every type (`#group` names are expanded at load). */
  resourceTypes: readonly string[];
  interactions: ReadonlySet<Interaction>;
  /** Search parameters a resource must match (ANDed), as `[name, value]`. */
  criteria?: readonly [string, string][];
  /** Only these top-level elements may change in an update this rule allows. */
  writableElements?: readonly string[];
}

export interface RolePolicy {
  comment: string;
  rules: readonly RoleRule[];
  /** Per resource type, the top-level elements removed from what this role is shown. */
  hiddenElements: Readonly<Record<string, readonly string[]>>;
  /** `self`: every rule is limited to the patient compartment of the user's fhirUser Patient. */
  compartment?: 'self';
}

export interface RolePolicies {
  /** The file it was read from (for error messages and the start-up log). */
  source: string;
  roles: Readonly<Record<Role, RolePolicy>>;
}

/** `ROLE_POLICIES` when set, else the shipped defaults. */
export function rolePoliciesFile(env: Record<string, string | undefined> = process.env): string {
  return env.ROLE_POLICIES || DEFAULT_ROLE_POLICIES;
}

/** Reads and checks a policy file; throws an Error naming the file and the path of the first problem. */
export function loadRolePolicies(file: string = rolePoliciesFile()): RolePolicies {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read role policies: ${(err as Error).message}`, { cause: err });
  }
  return parseRolePolicies(json, file);
}

let configured: RolePolicies | undefined;
/** The policies of this process (`ROLE_POLICIES` or the defaults), loaded once. */
export function configuredRolePolicies(): RolePolicies {
  configured ??= loadRolePolicies();
  return configured;
}

class PolicyError extends Error {}

export function parseRolePolicies(json: unknown, source: string): RolePolicies {
  try {
    return checkPolicies(json, source);
  } catch (err) {
    if (err instanceof PolicyError) throw new Error(`${source}: ${err.message}`, { cause: err });
    throw err;
  }
}

function checkPolicies(json: unknown, source: string): RolePolicies {
  const top = object(json, '(top level)');
  allowOnly(top, ['comment', 'typeGroups', 'roles'], '');
  const groups = new Map<string, string[]>();
  for (const [name, types] of Object.entries(object(top.typeGroups ?? {}, 'typeGroups'))) {
    groups.set(
      name,
      strings(types, `typeGroups.${name}`).map((t, i) => resourceType(t, `typeGroups.${name}[${i}]`)),
    );
  }
  const rolesJson = object(top.roles, 'roles');
  for (const name of Object.keys(rolesJson)) {
    if (!(ROLES as readonly string[]).includes(name)) fail(`roles.${name}`, `unknown role '${name}' (roles: ${ROLES.join(', ')})`);
  }
  const roles = {} as Record<Role, RolePolicy>;
  for (const role of ROLES) {
    if (!Object.hasOwn(rolesJson, role)) fail(`roles.${role}`, `role '${role}' has no policy`);
    roles[role] = checkRole(rolesJson[role], `roles.${role}`, groups);
  }
  return { source, roles };
}

function checkRole(json: unknown, path: string, groups: Map<string, string[]>): RolePolicy {
  const role = object(json, path);
  allowOnly(role, ['comment', 'rules', 'hiddenElements', 'compartment'], path);
  const comment = typeof role.comment === 'string' ? role.comment : fail(`${path}.comment`, 'a role needs a comment saying what it is');
  if (role.compartment !== undefined && role.compartment !== 'self') fail(`${path}.compartment`, "the only compartment is 'self'");
  if (!Array.isArray(role.rules)) fail(`${path}.rules`, 'must be an array');
  const rules = (role.rules as unknown[]).map((rule, i) => checkRule(rule, `${path}.rules[${i}]`, groups));
  const hiddenElements: Record<string, string[]> = {};
  for (const [type, elements] of Object.entries(object(role.hiddenElements ?? {}, `${path}.hiddenElements`))) {
    const at = `${path}.hiddenElements.${type}`;
    hiddenElements[resourceType(type, at)] = strings(elements, at).map((e, i) => elementName(e, `${at}[${i}]`));
  }
  return { comment, rules, hiddenElements, ...(role.compartment === 'self' ? { compartment: 'self' as const } : {}) };
}

function checkRule(json: unknown, path: string, groups: Map<string, string[]>): RoleRule {
  const rule = object(json, path);
  allowOnly(rule, ['comment', 'resourceTypes', 'interactions', 'criteria', 'writableElements'], path);
  const resourceTypes = strings(rule.resourceTypes, `${path}.resourceTypes`).flatMap((t, i) => {
    if (t === '*') return ['*'];
    if (t.startsWith('#')) return groups.get(t.slice(1)) ?? fail(`${path}.resourceTypes[${i}]`, `no typeGroups entry '${t.slice(1)}'`);
    return [resourceType(t, `${path}.resourceTypes[${i}]`)];
  });
  if (resourceTypes.length === 0) fail(`${path}.resourceTypes`, 'lists no resource type');
  if (resourceTypes.includes('*') && resourceTypes.length > 1) fail(`${path}.resourceTypes`, "'*' stands alone");
  const letters = typeof rule.interactions === 'string' ? rule.interactions : fail(`${path}.interactions`, 'must be a string');
  const interactions = /^[cruds]+$/.test(letters) ? parsePermissions(letters) : undefined;
  if (!interactions) fail(`${path}.interactions`, `'${letters}' is not SMART v2 letters c r u d s in that order`);
  const out: RoleRule = { resourceTypes: [...new Set(resourceTypes)], interactions };
  if (rule.criteria !== undefined) {
    if (typeof rule.criteria !== 'string') fail(`${path}.criteria`, 'must be a search query string');
    if (resourceTypes.includes('*')) fail(`${path}.criteria`, "criteria need resource types, not '*'");
    out.criteria = checkCriteria(rule.criteria, out.resourceTypes, `${path}.criteria`);
  }
  if (rule.writableElements !== undefined) {
    if (!interactions.has('u')) fail(`${path}.writableElements`, "only a rule that allows 'u' limits what an update changes");
    out.writableElements = strings(rule.writableElements, `${path}.writableElements`).map((e, i) =>
      elementName(e, `${path}.writableElements[${i}]`),
    );
  }
  return out;
}

/** A criteria query must compile for every type of its rule, with the search compiler itself. */
function checkCriteria(text: string, types: readonly string[], path: string): [string, string][] {
  let pairs: [string, string][] = [];
  for (const type of types) {
    const parsed = parseQuery(type, text);
    if (typeof parsed === 'string') fail(path, parsed);
    pairs = parsed;
    for (const [name, value] of parsed) {
      const { code, modifier } = splitName(name);
      // `:in` / `:not-in` expand a ValueSet from the store: compiled when a grant is (compile-access.ts).
      if (modifier === 'in' || modifier === 'not-in') continue;
      try {
        compileParameter(type, {
          definition: searchParameterOf(type, code)!,
          code,
          ...(modifier !== undefined ? { modifier } : {}),
          value,
        });
      } catch (err) {
        if (err instanceof FhirError) fail(path, `'${name}' does not compile for ${type}: ${err.message}`);
        throw err;
      }
    }
  }
  return pairs;
}

function resourceType(type: string, path: string): string {
  return isResourceType(type) ? type : fail(path, `unknown resource type '${type}'`);
}

function elementName(name: string, path: string): string {
  return /^[a-z][A-Za-z0-9]*$/.test(name) ? name : fail(path, `'${name}' is not a top-level element name`);
}

function object(json: unknown, path: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(path, 'must be an object');
  return json as Record<string, unknown>;
}

function strings(json: unknown, path: string): string[] {
  if (!Array.isArray(json) || !json.every((s) => typeof s === 'string')) fail(path, 'must be an array of strings');
  return json as string[];
}

/** Unknown keys are mistakes (a misspelt `criteria` would otherwise allow every resource). */
function allowOnly(json: Record<string, unknown>, keys: string[], path: string): void {
  for (const key of Object.keys(json)) if (!keys.includes(key)) fail(path ? `${path}.${key}` : key, `unknown key '${key}'`);
}

function fail(path: string, message: string): never {
  throw new PolicyError(`${path}: ${message}`);
}
