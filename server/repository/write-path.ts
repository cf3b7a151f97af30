/**
 * The one write path (DESIGN.md): every writer (REST, later batch/transaction, the HL7 listener and workflow
 * jobs) creates, updates, patches and deletes through these functions, so every resource is validated,
 * versioned, indexed for search and announced in the outbox the same way.
 *
 * request -> validate -> extract search values -> store current + history version + outbox event, atomically.
 * Validation and extraction (prepare-version.ts) run in the prepare pool's worker threads when the server has them.
 */
import { newResourceId } from './new-id.ts';
import { applyPatch, type Operation } from 'rfc6902';
import { isJsonObject, parseFhirJson, shown, stringifyFhirJson, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';
import { badRequest, conflict, FhirError, notFound, preconditionFailed } from '../errors/fhir-error.ts';
import { emptySearchValues } from '../search-index/extract.ts';
import type { HistoryDocument, OutboxDocument, ResourceDocument } from '../store/documents.ts';
import { DuplicateKeyError, PreconditionFailedError, type Store, type WriteOperation } from '../store/port.ts';
import { isResourceType } from '../validation/definitions.ts';
import { prepareInThread, type VersionPreparer } from './prepare-version.ts';

/** What a write produced: the stored version, and whether it created the resource. */
export interface WriteResult {
  doc: ResourceDocument;
  created: boolean;
}

/**
 * A validated change to one resource, not yet stored: the new version and the store operations (current
 * version with its compare-and-swap, history version, outbox event) that make it. Batches and transactions
 * plan every entry first and commit the operations of all of them in one atomic unit (commitWrites).
 */
export interface PlannedWrite extends WriteResult {
  method: HistoryDocument['method'];
  operations: WriteOperation[];
  /** The client named the version it expects (If-Match): a lost race is 412, not 409. */
  versionAware: boolean;
}

/**
 * What the write path writes with: the store, and where new versions are validated and indexed (the server's
 * prepare pool, prepare-pool.ts; in the calling thread when not given).
 */
export interface WriteContext {
  store: Store;
  preparer?: VersionPreparer;
}

export interface UpdateOptions {
  /** If-Match: the version the client last saw; a different current version answers 412. */
  ifMatch?: number;
}

/** FHIR ids: https://hl7.org/fhir/R4/datatypes.html#id */
const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

export function assertResourceType(type: string): void {
  if (!isResourceType(type)) throw FhirError.of('not-found', 'not-supported', `Unknown resource type '${type}'`);
}

export function assertId(id: string): void {
  if (!ID_PATTERN.test(id)) throw badRequest(`Invalid id '${id}': 1-64 characters of A-Z a-z 0-9 - .`);
}

/** POST [type]: the server assigns the id and ignores any id in the body (https://hl7.org/fhir/R4/http.html#create). */
export async function createResource(ctx: WriteContext, type: string, body: JsonValue): Promise<WriteResult> {
  return commitOne(ctx.store, await planCreate(ctx, type, body));
}

/** PUT [type]/[id]: update, or create with the client's id when it does not exist yet. */
export async function updateResource(ctx: WriteContext, type: string, id: string, body: JsonValue, options: UpdateOptions = {}): Promise<WriteResult> {
  return commitOne(ctx.store, await planUpdate(ctx, type, id, body, options));
}

/** PATCH [type]/[id] with a JSON Patch document (https://hl7.org/fhir/R4/http.html#patch). */
export async function patchResource(ctx: WriteContext, type: string, id: string, patch: JsonValue, options: UpdateOptions = {}): Promise<WriteResult> {
  return commitOne(ctx.store, await planPatch(ctx, type, id, patch, options));
}

/** DELETE [type]/[id]: a new version that marks the resource deleted; history keeps every earlier version. */
export async function deleteResource(store: Store, type: string, id: string): Promise<ResourceDocument | undefined> {
  const plan = await planDelete(store, type, id);
  if (!plan) return undefined;
  return (await commitOne(store, plan)).doc;
}

/** A create with a server-assigned id, or the id a transaction chose for it beforehand. */
export function planCreate(ctx: WriteContext, type: string, body: JsonValue, id: string = newResourceId()): Promise<PlannedWrite> {
  const resource = asResource(body, type);
  return plan(ctx, resource, id, undefined, 'POST');
}

export async function planUpdate(ctx: WriteContext, type: string, id: string, body: JsonValue, options: UpdateOptions = {}): Promise<PlannedWrite> {
  assertId(id);
  const resource = asResource(body, type);
  if (resource.id === undefined) throw badRequest('The resource must carry its id in an update', `${type}.id`);
  if (resource.id !== id) throw badRequest(`The id in the body ('${shown(resource.id)}') does not match the URL ('${id}')`, `${type}.id`);
  const current = await currentDocument(ctx.store, type, id);
  checkIfMatch(current, options.ifMatch);
  return plan(ctx, resource, id, current, 'PUT', options.ifMatch !== undefined);
}

export async function planPatch(ctx: WriteContext, type: string, id: string, patch: JsonValue, options: UpdateOptions = {}): Promise<PlannedWrite> {
  if (!Array.isArray(patch)) throw badRequest('A JSON Patch body must be an array of operations');
  const current = await currentDocument(ctx.store, type, id);
  if (!current || current.deleted || current.content === null) throw notFound(`${type}/${id} does not exist`);
  checkIfMatch(current, options.ifMatch);
  const resource = parseFhirJson(current.content) as JsonObject;
  // A path through Object.prototype's names (`/__proto__`, `/toString`) reaches the prototype, not the resource.
  if (patch.some((op) => isJsonObject(op) && [op.path, op.from].some((p) => typeof p === 'string' && p.split('/').some((s) => s in Object.prototype)))) throw badRequest('A JSON Patch path may not name __proto__, constructor, toString or another Object member');
  const errors = applyPatch(resource, patch as unknown as Operation[]);
  const failed = errors.findIndex((e) => e !== null);
  if (failed >= 0) {
    throw FhirError.of('unprocessable', 'processing', `JSON Patch operation ${failed} failed: ${errors[failed]!.message}`);
  }
  if (resource.resourceType !== type || resource.id !== id) throw badRequest('A patch may not change resourceType or id');
  return plan(ctx, resource, id, current, 'PATCH', options.ifMatch !== undefined);
}

/** Undefined when the resource is already deleted (nothing to write); 404 when it never existed. */
export async function planDelete(store: Store, type: string, id: string, options: UpdateOptions = {}): Promise<PlannedWrite | undefined> {
  const current = await currentDocument(store, type, id);
  if (!current) throw notFound(`${type}/${id} does not exist`);
  checkIfMatch(current, options.ifMatch);
  if (current.deleted) return undefined;
  const doc: ResourceDocument = {
    _id: current._id,
    resourceType: type,
    id,
    versionId: current.versionId + 1,
    lastUpdated: new Date().toISOString(),
    deleted: true,
    content: null,
    ...emptySearchValues(),
  };
  return { doc, created: false, method: 'DELETE', operations: versionOperations(doc, current, 'DELETE'), versionAware: options.ifMatch !== undefined };
}

/**
 * Stores planned writes in one atomic unit, durable when it resolves. `extra` operations (e.g. the keys of
 * conditional creates) join the same unit. A concurrent writer turns into 412 (If-Match) or 409.
 */
export async function commitWrites(store: Store, plans: PlannedWrite[], extra: WriteOperation[] = []): Promise<void> {
  try {
    await store.write([...plans.flatMap((p) => p.operations), ...extra]);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError || err instanceof DuplicateKeyError)) throw err;
    const lost = plans.find((p) => p.doc._id === err.documentId);
    if (!lost) throw err; // an extra operation's precondition: the caller knows what it means
    // Someone else wrote this resource between our read and our write: the spec's answers for a lost race.
    if (lost.versionAware) throw preconditionFailed(`${lost.doc._id} was changed by another request; re-read it and retry`);
    throw conflict(`${lost.doc._id} was changed by another request at the same time; retry`);
  }
}

async function commitOne(store: Store, planned: PlannedWrite): Promise<WriteResult> {
  await commitWrites(store, [planned]);
  return { doc: planned.doc, created: planned.created };
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
    throw badRequest(`The body's resourceType ('${shown(body.resourceType)}') does not match the URL ('${type}')`, 'resourceType');
  }
  return body as JsonObject;
}

/** Stamps id and meta, validates and indexes one new version. */
async function plan(
  { preparer = prepareInThread }: WriteContext,
  body: JsonObject,
  id: string,
  current: ResourceDocument | undefined,
  method: HistoryDocument['method'],
  versionAware = false,
): Promise<PlannedWrite> {
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
  const content = stringifyFhirJson(stored);
  const prepared = await preparer.prepare(stored, content);
  if (prepared.failure) throw new FhirError(prepared.failure.kind, prepared.failure.outcome);
  const doc: ResourceDocument = {
    _id: `${resourceType}/${id}`,
    resourceType: resourceType as string,
    id,
    versionId,
    lastUpdated,
    deleted: false,
    content,
    ...prepared.searchValues,
  };
  const created = !current || current.deleted;
  return { doc, created, method, operations: versionOperations(doc, current, method), versionAware };
}

/** Current version (compare-and-swap on the version read), history version and outbox event. */
function versionOperations(doc: ResourceDocument, current: ResourceDocument | undefined, method: HistoryDocument['method']): WriteOperation[] {
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
  return [
    { op: 'replace', collection: 'resources', doc, expect: current ? { versionId: current.versionId } : null },
    { op: 'insert', collection: 'history', doc: history },
    { op: 'insert', collection: 'outbox', doc: event },
  ];
}
