/**
 * The Bundle entries a mapping produces for one transaction (https://hl7.org/fhir/R4/http.html#transaction).
 * Every resource gets a `urn:uuid` fullUrl so that the others reference it within the message, and
 * `meta.source` = the archived message. Identity is always a condition on business identifiers, never an id:
 * `PUT Type?identifier=...` updates the match or creates (http.html#cond-update), `POST` with `ifNoneExist`
 * creates only when nothing matches (http.html#ccreate).
 */
import { hash } from 'node:crypto';
import type { Attachment, Binary, BundleEntry, Identifier, Reference, Resource } from '@medplum/fhirtypes';
import type { MappingContext } from './context.ts';

export interface TransactionEntry extends BundleEntry {
  fullUrl: string;
  resource: Resource;
  request: { method: 'PUT' | 'POST' | 'PATCH'; url: string; ifNoneExist?: string; ifMatch?: string };
}

const TOKEN_SPECIAL = /[\\,$|]/;
const TOKEN_SPECIALS = /[\\,$|]/g;

/** A backslash before each `\`, `,`, `$` and `|`; tested first because most values have none. */
function esc(s: string): string {
  return TOKEN_SPECIAL.test(s) ? s.replace(TOKEN_SPECIALS, (c) => `\\${c}`) : s;
}

/** Search token escaping (https://hl7.org/fhir/R4/search.html#escaping) then URL encoding. */
export function tokenParameter(system: string | undefined, value: string): string {
  return encodeURIComponent(system === undefined ? esc(value) : `${esc(system)}|${esc(value)}`);
}

/** `identifier=sys|value` (the first identifier that has a system and value). */
export function identifierQuery(identifiers: Identifier[] | undefined): string | undefined {
  const id = identifiers?.find((i) => i.system && i.value);
  return id ? `identifier=${tokenParameter(id.system, id.value!)}` : undefined;
}

/**
 * A urn:uuid derived from the message source and a key, so that mapping the same message twice gives the same
 * entries (tests compare them; the transaction rewrites them to the stored ids anyway).
 */
export function fullUrlFor(context: MappingContext, key: string): string {
  const h = hash('sha256', `${context.source}\n${key}`, 'hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function withSource<T extends Resource>(resource: T, context: MappingContext): T {
  return { ...resource, meta: { ...resource.meta, source: context.source } };
}

/** Update-or-create by `query` (http.html#cond-update). */
export function conditionalUpdate(context: MappingContext, key: string, resource: Resource, query: string): TransactionEntry {
  return {
    fullUrl: fullUrlFor(context, key),
    resource: withSource(resource, context),
    request: { method: 'PUT', url: `${resource.resourceType}?${query}` },
  };
}

/** Create unless `query` matches; when it matches, the existing resource is kept as is (http.html#ccreate). */
export function conditionalCreate(context: MappingContext, key: string, resource: Resource, query: string): TransactionEntry {
  return {
    fullUrl: fullUrlFor(context, key),
    resource: withSource(resource, context),
    request: { method: 'POST', url: resource.resourceType, ifNoneExist: query },
  };
}

/** Plain create (resources with no business identifier of their own, e.g. a note-less Provenance). */
export function create(context: MappingContext, key: string, resource: Resource): TransactionEntry {
  return {
    fullUrl: fullUrlFor(context, key),
    resource: withSource(resource, context),
    request: { method: 'POST', url: resource.resourceType },
  };
}

/**
 * JSON Patch of the one resource `query` matches (http.html#patch; the transaction takes it as a Binary). No
 * match fails the transaction: used where the message only changes a resource that must already exist.
 */
export function conditionalPatch(context: MappingContext, key: string, type: string, query: string, patch: unknown[]): TransactionEntry {
  return {
    fullUrl: fullUrlFor(context, key),
    resource: {
      resourceType: 'Binary',
      contentType: 'application/json-patch+json',
      data: Buffer.from(JSON.stringify(patch)).toString('base64'),
    },
    request: { method: 'PATCH', url: `${type}?${query}` },
  };
}

/**
 * Identifier system of the keys Fhirline derives for resources the message gives no identifier of their own
 * (an allergy, a diagnosis, an ADT observation): built from the patient's identifier and the coded content, so
 * that the same statement in a later message updates rather than duplicates.
 */
export const DERIVED_KEY_SYSTEM = 'urn:fhirline:hl7v2:derived-key';

export function derivedIdentifier(...parts: (string | undefined)[]): Identifier {
  return { system: DERIVED_KEY_SYSTEM, value: parts.map((p) => p ?? '').join('|') };
}

/**
 * An embedded document (ED) as its own Binary, and the Attachment that points at it
 * (https://hl7.org/fhir/R4/binary.html; the IG's ED map allows Attachment.url to a Binary): a report's
 * presentedForm then stays small whatever the document's size, and the document is read with `GET Binary/id`.
 * The id is derived from the message and `key` (a PUT), because a transaction rewrites `reference`s to other
 * entries but not `Attachment.url`.
 */
export function binaryEntry(
  context: MappingContext,
  key: string,
  attachment: Attachment,
  securityContext: Reference,
): { entry: TransactionEntry; attachment: Attachment } {
  const id = hash('sha256', `${context.source}\n${key}`, 'hex').slice(0, 40);
  const binary: Binary = {
    resourceType: 'Binary',
    id,
    contentType: attachment.contentType ?? 'application/octet-stream',
    securityContext,
    data: attachment.data,
  };
  const entry: TransactionEntry = {
    fullUrl: fullUrlFor(context, key),
    resource: withSource(binary, context),
    request: { method: 'PUT', url: `Binary/${id}` },
  };
  const size = attachment.data === undefined ? undefined : Buffer.byteLength(attachment.data, 'base64');
  return {
    entry,
    attachment: {
      ...(attachment.contentType && { contentType: attachment.contentType }),
      url: `Binary/${id}`,
      ...(size !== undefined && { size }),
    },
  };
}
