/**
 * The one write path (DESIGN.md): every writer (REST, later batch/transaction, the HL7 listener and workflow
 * jobs) creates, updates, patches and deletes through these functions, so every resource is validated,
 * versioned, indexed for search and announced in the outbox the same way.
 *
 * request -> validate -> extract search values -> store current + history version + outbox event, atomically.
 */
import { randomUUID } from 'node:crypto';
import { applyPatch, type Operation } from 'rfc6902';
import type { Resource } from '@medplum/fhirtypes';
import { isJsonObject, parseFhirJson, stringifyFhirJson, toPlain, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';
import { badRequest, conflict, FhirError, notFound, preconditionFailed } from '../fhir/outcome.ts';
import { emptySearchValues, extractSearchValues } from '../search-index/extract.ts';
import type { HistoryDocument, OutboxDocument, ResourceDocument } from '../store/documents.ts';
import { DuplicateKeyError, PreconditionFailedError, type Store, type WriteOperation } from '../store/port.ts';
import { validateResource } from '../validation/validate.ts';
import { isResourceType } from '../validation/definitions.ts';

/** What a write produced: the stored version, and whether it created the resource. */
export interface WriteResult {
  doc: ResourceDocument;
  created: boolean;
}

export interface UpdateOptions {
  /** If-Match: the version the client last saw; a different current version answers 412. */
  ifMatch?: number;
}

/** FHIR ids: https://hl7.org/fhir/R4/datatypes.html#id */
const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

export function assertResourceType(type: string): void {
  if (!isResourceType(type)) throw FhirError.of(404, 'not-supported', `Unknown resource type '${type}'`);
}

export function assertId(id: string): void {
  if (!ID_PATTERN.test(id)) throw badRequest(`Invalid id '${id}': 1-64 characters of A-Z a-z 0-9 - .`);
}

/** POST [type]: the server assigns the id and ignores any id in the body (https://hl7.org/fhir/R4/http.html#create). */
export async function createResource(store: Store, type: string, body: JsonValue): Promise<WriteResult> {
  const resource = asResource(body, type);
  return commit(store, resource, randomUUID(), undefined, 'POST');
}

/** PUT [type]/[id]: update, or create with the client's id when it does not exist yet. */
export async function updateResource(store: Store, type: string, id: string, body: JsonValue, options: UpdateOptions = {}): Promise<WriteResult> {
  assertId(id);
  const resource = asResource(body, type);
  if (resource.id === undefined) throw badRequest('The resource must carry its id in an update', `${type}.id`);
  if (resource.id !== id) throw badRequest(`The id in the body ('${String(resource.id)}') does not match the URL ('${id}')`, `${type}.id`);
  const current = await currentDocument(store, type, id);
  checkIfMatch(current, options.ifMatch);
  return commit(store, resource, id, current, 'PUT', options.ifMatch !== undefined);
}

/** PATCH [type]/[id] with a JSON Patch document (https://hl7.org/fhir/R4/http.html#patch). */
export async function patchResource(store: Store, type: string, id: string, patch: JsonValue, options: UpdateOptions = {}): Promise<WriteResult> {
  if (!Array.isArray(patch)) throw badRequest('A JSON Patch body must be an array of operations');
  const current = await currentDocument(store, type, id);
  if (!current || current.deleted || current.content === null) throw notFound(`${type}/${id} does not exist`);
  checkIfMatch(current, options.ifMatch);
  const resource = parseFhirJson(current.content) as JsonObject;
  const errors = applyPatch(resource, patch as unknown as Operation[]);
  const failed = errors.findIndex((e) => e !== null);
  if (failed >= 0) {
    throw FhirError.of(422, 'processing', `JSON Patch operation ${failed} failed: ${errors[failed]!.message}`);
  }
  if (resource.resourceType !== type || resource.id !== id) throw badRequest('A patch may not change resourceType or id');
  return commit(store, resource, id, current, 'PATCH', options.ifMatch !== undefined);
}

/** DELETE [type]/[id]: a new version that marks the resource deleted; history keeps every earlier version. */
export async function deleteResource(store: Store, type: string, id: string): Promise<ResourceDocument | undefined> {
  const current = await currentDocument(store, type, id);
  if (!current) throw notFound(`${type}/${id} does not exist`);
  if (current.deleted) return undefined;
  const versionId = current.versionId + 1;
  const lastUpdated = new Date().toISOString();
  const doc: ResourceDocument = {
    _id: current._id,
    resourceType: type,
    id,
    versionId,
    lastUpdated,
    deleted: true,
    content: null,
    ...emptySearchValues(),
  };
  await writeVersion(store, doc, current, 'DELETE', false);
  return doc;
}

export function currentDocument(store: Store, type: string, id: string): Promise<ResourceDocument | undefined> {
  return store.findOne<ResourceDocument>('resources', { _id: `${type}/${id}` });
}

function checkIfMatch(current: ResourceDocument | undefined, ifMatch: number | undefined): void {
  if (ifMatch === undefined) return;
  if (!current || current.deleted) throw preconditionFailed(`If-Match: the resource does not exist`);
  if (current.versionId !== ifMatch) {
    throw preconditionFailed(`If-Match: version ${ifMatch} is not the current version (${current.versionId})`);
  }
}

function asResource(body: JsonValue, type: string): JsonObject {
  if (!isJsonObject(body)) throw badRequest('The body must be a JSON object (a FHIR resource)');
  if (body.resourceType !== type) {
    throw badRequest(`The body's resourceType ('${String(body.resourceType)}') does not match the URL ('${type}')`, 'resourceType');
  }
  return body as JsonObject;
}

/** Stamps id and meta, validates, indexes and writes one new version. */
async function commit(
  store: Store,
  body: JsonObject,
  id: string,
  current: ResourceDocument | undefined,
  method: HistoryDocument['method'],
  versionAware = false,
): Promise<WriteResult> {
  const versionId = (current?.versionId ?? 0) + 1;
  const lastUpdated = new Date().toISOString();
  const { resourceType, id: _ignored, meta, ...rest } = body;
  const clientMeta = isJsonObject(meta) ? meta : {};
  const stored: JsonObject = {
    resourceType,
    id,
    meta: { ...clientMeta, versionId: String(versionId), lastUpdated },
    ...rest,
  };
  const plain = toPlain<Resource>(stored);
  const failure = validateResource(plain);
  if (failure) throw new FhirError(failure.status, failure.outcome);
  const doc: ResourceDocument = {
    _id: `${resourceType}/${id}`,
    resourceType: resourceType as string,
    id,
    versionId,
    lastUpdated,
    deleted: false,
    content: stringifyFhirJson(stored),
    ...extractSearchValues(plain),
  };
  await writeVersion(store, doc, current, method, versionAware);
  return { doc, created: !current || current.deleted };
}

/** Current version, history version and outbox event in one atomic unit; a concurrent writer turns into 409/412. */
async function writeVersion(
  store: Store,
  doc: ResourceDocument,
  current: ResourceDocument | undefined,
  method: HistoryDocument['method'],
  versionAware: boolean,
): Promise<void> {
  const history: HistoryDocument = {
    _id: `${doc._id}/_history/${doc.versionId}`,
    resourceType: doc.resourceType,
    id: doc.id,
    versionId: doc.versionId,
    lastUpdated: doc.lastUpdated,
    method,
    content: doc.content,
  };
  const event: OutboxDocument = {
    _id: `${doc.lastUpdated}|${doc._id}/${doc.versionId}`,
    resourceType: doc.resourceType,
    id: doc.id,
    versionId: doc.versionId,
    lastUpdated: doc.lastUpdated,
    action: method === 'DELETE' ? 'delete' : !current || current.deleted ? 'create' : 'update',
  };
  const operations: WriteOperation[] = [
    { op: 'replace', collection: 'resources', doc, expect: current ? { versionId: current.versionId } : null },
    { op: 'insert', collection: 'history', doc: history },
    { op: 'insert', collection: 'outbox', doc: event },
  ];
  try {
    await store.write(operations);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError || err instanceof DuplicateKeyError)) throw err;
    // Someone else wrote this resource between our read and our write: the spec's answers for a lost race.
    if (versionAware) throw preconditionFailed(`${doc._id} was changed by another request; re-read it and retry`);
    throw conflict(`${doc._id} was changed by another request at the same time; retry`);
  }
}
