/**
 * How the read and write paths apply a principal's Access (access.ts): queries AND its filter in, single
 * documents are tested against it in memory, and what a caller may not see reads as absent (404), while a type or
 * interaction it has no scope for at all is 403 naming the missing scope (issue 11; SMART App Launch 2, scopes).
 */
import type { Resource } from '@medplum/fhirtypes';
import { forbidden, notFound } from '../errors/fhir-error.ts';
import { isJsonObject, parseFhirJson, stringifyFhirJson, type JsonObject } from '../fhir-json/fhir-json.ts';
import { emptySearchValues, extractSearchValues } from '../search-index/extract.ts';
import type { HistoryDocument, ResourceDocument } from '../store/documents.ts';
import { matchesFilter } from '../store/match-filter.ts';
import type { Filter } from '../store/port.ts';
import type { Access, Interaction } from './access.ts';

const WORDS: Record<Interaction, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/** The filter `interaction` on `type` may use; 403 when the principal has no permission for it at all. */
export function requireFilter(access: Access, type: string, interaction: Interaction): Filter {
  const filter = access.filter(type, interaction);
  if (!filter)
    throw forbidden(`Not permitted to ${WORDS[interaction]} ${type}: the token lacks the scope ${access.missingScope(type, interaction)}`);
  return filter;
}

/** `filter` ANDed with what the principal may do; `{}` (everything) leaves the filter as it is. */
export function restrict(filter: Filter, allowed: Filter): Filter {
  return Object.keys(allowed).length === 0 ? filter : { $and: [filter, allowed] };
}

/** Inside chains, `_has` and includes: a type the principal may not see matches nothing, silently. */
export const NOTHING: Filter = { _id: { $in: [] } };

/**
 * A current document the caller asked for by id: 403 without the scope, 404 when it exists but is hidden (as if it
 * did not), else the document with the elements its policy hides removed.
 */
export function readable(access: Access, type: string, interaction: Interaction, doc: ResourceDocument): ResourceDocument {
  const filter = requireFilter(access, type, interaction);
  if (!matchesFilter(filter, doc)) throw notFound(`${doc._id} is not known`);
  return redact(access, doc);
}

/**
 * Whether a version in history may be shown: tested on that version's own search values (a resource may have
 * moved between patients), a deletion only to a principal who may see every resource of the type.
 */
export function versionVisible(access: Access, filter: Filter, doc: HistoryDocument): boolean {
  if (Object.keys(filter).length === 0 || access.unrestricted) return true;
  if (doc.content === null) return false;
  const resource = parseFhirJson(doc.content) as unknown as Resource;
  return matchesFilter(filter, { ...emptySearchValues(), ...extractSearchValues(resource), _id: `${doc.resourceType}/${doc.id}` });
}

/** The document with the top-level elements the principal's policy hides removed (`meta.security` SUBSETTED). */
export function redact<T extends { resourceType: string; content: string | null }>(access: Access, doc: T): T {
  const hidden = access.hiddenElements(doc.resourceType);
  if (hidden.length === 0 || doc.content === null) return doc;
  const resource = parseFhirJson(doc.content) as JsonObject;
  let removed = false;
  for (const name of hidden) {
    if (name in resource) {
      delete resource[name];
      removed = true;
    }
  }
  if (!removed) return doc;
  // https://hl7.org/fhir/R4/resource.html#tag: SUBSETTED marks a resource shown without some of its elements.
  const meta = isJsonObject(resource.meta) ? resource.meta : {};
  const security = Array.isArray(meta.security) ? meta.security : [];
  const subsetted = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
  resource.meta = { ...meta, security: [...security, subsetted] };
  return { ...doc, content: stringifyFhirJson(resource) };
}

/**
 * Before a write touches the version it replaces (update, patch: `u`; delete: `d`): that version must be one the
 * principal may change. Hidden from it: 404, as for a read; visible but not changeable: 403.
 */
export function checkCurrent(access: Access, interaction: 'u' | 'd', current: ResourceDocument): void {
  if (access.unrestricted || current.deleted) return;
  const filter = requireFilter(access, current.resourceType, interaction);
  if (matchesFilter(filter, current)) return;
  const read = access.filter(current.resourceType, 'r');
  if (!read || !matchesFilter(read, current)) throw notFound(`${current._id} is not known`);
  throw forbidden(`Not permitted to ${WORDS[interaction]} ${current._id}`);
}

/**
 * The new version of a create or update, once validated and indexed: one the principal may create or change into
 * (never out of its own compartment or category), touching only the elements its policy lets it change.
 */
export function checkNewVersion(access: Access, current: ResourceDocument | undefined, next: ResourceDocument): void {
  if (access.unrestricted) return;
  const type = next.resourceType;
  const existing = current && !current.deleted ? current : undefined;
  const interaction: Interaction = existing ? 'u' : 'c';
  if (!matchesFilter(requireFilter(access, type, interaction), next)) {
    throw forbidden(`Not permitted to ${WORDS[interaction]} this ${type}: it is outside what the token may ${WORDS[interaction]}`);
  }
  const writable = access.writableElements(type);
  if (existing && writable) checkOnlyChanges(existing, next, writable);
}

/** A policy that lets a role change only some elements (a nurse sets a Task's status): every other one must stay. */
function checkOnlyChanges(current: ResourceDocument, next: ResourceDocument, writable: readonly string[]): void {
  const before = parseFhirJson(current.content!) as JsonObject;
  const after = parseFhirJson(next.content!) as JsonObject;
  const keep = new Set([...writable, 'meta', 'id', 'resourceType']);
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const name of names) {
    if (keep.has(name)) continue;
    if (stringifyFhirJson(before[name] ?? null) !== stringifyFhirJson(after[name] ?? null)) {
      throw forbidden(`Only ${writable.join(', ')} of a ${current.resourceType} may be changed with this role; '${name}' changed`);
    }
  }
}

/** Admin operations (`$reindex`, the admin API): only a principal flagged admin. */
export function requireAdmin(access: Access, what: string): void {
  if (!access.admin) throw forbidden(`${what} needs an admin token`);
}

/** `$validate` answers what a write would: for a caller that may create or update the type. */
export function requireWriteScope(access: Access, type: string): void {
  if (access.filter(type, 'c') || access.filter(type, 'u')) return;
  throw forbidden(`Not permitted to validate ${type}: the token lacks the scope ${access.missingScope(type, 'c')}`);
}
