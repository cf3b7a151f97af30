/**
 * The one write path (README, "How it fits together"): every writer (REST, batch/transaction, the HL7 listener
 * through the engine façade, later workflow jobs) creates, updates, patches and deletes through these functions, so every resource is validated,
 * versioned, indexed for search and announced in the outbox the same way.
 *
 * request -> validate -> extract search values -> store current + history version + outbox event, atomically.
 * Validation and extraction (prepare-version.ts) run in the prepare pool's worker threads when the server has them.
 */
import { checkCurrent, checkNewVersion, requireFilter } from '../access/enforce.ts';
import type { Access } from '../access/access.ts';
import { newResourceId } from './new-id.ts';
import { isJsonObject, parseFhirJson, shown, stringifyFhirJson, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';
import { badRequest, conflict, FhirError, notFound, preconditionFailed } from '../errors/fhir-error.ts';
import { emptySearchValues } from '../search-index/extract.ts';
import type { HistoryDocument, OutboxDocument, ResourceDocument } from '../store/documents.ts';
import { DuplicateKeyError, PreconditionFailedError, type Store, type WriteOperation } from '../store/port.ts';
import { assertValidId } from '../validation/id-rule.ts';
import type { VersionPreparer } from './prepare-version.ts';
import { applyJsonPatch } from './json-patch.ts';
import type { Config } from '../config.ts';

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
 * What the write path writes with: the store, and where new versions are validated and indexed - always given,
 * never a silent fallback: the server's is the one PREPARE_WORKERS chose (prepare-pool.ts startPreparer).
 */
export interface WriteContext {
  store: Store;
  preparer: VersionPreparer;
  /** What the writer may change (server/access/enforce.ts): checked on the version replaced and on the new one. */
  access: Access;
}

/** A patch also needs the body limit, which bounds what it may grow a resource to (json-patch.ts). */
export interface PatchContext extends WriteContext {
  config: Pick<Config, 'maxBodyBytes'>;
}

export interface UpdateOptions {
  /** If-Match: the version the client last saw; a different current version answers 412. */
  ifMatch?: number;
  /**
   * The version a conditional search matched: the write replaces exactly that version (a change since fails
   * the unit and the condition is searched again), so it is not read again.
   */
  basedOn?: ResourceDocument;
}

/** POST [type]: the server assigns the id and ignores any id in the body (https://hl7.org/fhir/R4/http.html#create). */
export async function createResource(ctx: WriteContext, type: string, body: JsonValue): Promise<WriteResult> {
  return commitOne(ctx.store, await planCreate(ctx, type, body));
}

/** PUT [type]/[id]: update, or create with the client's id when it does not exist yet. */
export async function updateResource(
  ctx: WriteContext,
  type: string,
  id: string,
  body: JsonValue,
  options: UpdateOptions = {},
): Promise<WriteResult> {
  return commitOne(ctx.store, await planUpdate(ctx, type, id, body, options));
}

/** PATCH [type]/[id] with a JSON Patch document (https://hl7.org/fhir/R4/http.html#patch). */
export async function patchResource(
  ctx: PatchContext,
  type: string,
  id: string,
  patch: JsonValue,
  options: UpdateOptions = {},
): Promise<WriteResult> {
  return commitOne(ctx.store, await planPatch(ctx, type, id, patch, options));
}

/** DELETE [type]/[id]: a new version that marks the resource deleted; history keeps every earlier version. */
export async function deleteResource(ctx: WriteContext, type: string, id: string): Promise<ResourceDocument | undefined> {
  const plan = await planDelete(ctx, type, id);
  if (!plan) return undefined;
  return (await commitOne(ctx.store, plan)).doc;
}

/** A create with a server-assigned id, or the id a transaction chose for it beforehand. */
export function planCreate(ctx: WriteContext, type: string, body: JsonValue, id: string = newResourceId()): Promise<PlannedWrite> {
  const resource = asResource(body, type);
  return plan(ctx, resource, id, undefined, 'POST');
}

export async function planUpdate(
  ctx: WriteContext,
  type: string,
  id: string,
  body: JsonValue,
  options: UpdateOptions = {},
): Promise<PlannedWrite> {
  assertValidId(id);
  const resource = asResource(body, type);
  if (resource.id === undefined) throw badRequest('The resource must carry its id in an update', `${type}.id`);
  if (resource.id !== id) throw badRequest(`The id in the body ('${shown(resource.id)}') does not match the URL ('${id}')`, `${type}.id`);
  const current = options.basedOn ?? (await currentDocument(ctx.store, type, id));
  if (current) checkCurrent(ctx.access, 'u', current);
  checkIfMatch(current, options.ifMatch);
  return plan(ctx, resource, id, current, 'PUT', options.ifMatch !== undefined);
}

export async function planPatch(
  ctx: PatchContext,
  type: string,
  id: string,
  patch: JsonValue,
  options: UpdateOptions = {},
): Promise<PlannedWrite> {
  const current = options.basedOn ?? (await currentDocument(ctx.store, type, id));
  if (!current || current.deleted || current.content === null) throw notFound(`${type}/${id} does not exist`);
  checkCurrent(ctx.access, 'u', current);
  checkIfMatch(current, options.ifMatch);
  const resource = parseFhirJson(current.content) as JsonObject;
  applyJsonPatch(resource, patch, Buffer.byteLength(current.content), ctx.config.maxBodyBytes);
  if (resource.resourceType !== type || resource.id !== id) throw badRequest('A patch may not change resourceType or id');
  return plan(ctx, resource, id, current, 'PATCH', options.ifMatch !== undefined);
}

/** Undefined when the resource is already deleted (nothing to write); 404 when it never existed. */
export async function planDelete(
  ctx: WriteContext,
  type: string,
  id: string,
  options: UpdateOptions = {},
): Promise<PlannedWrite | undefined> {
  requireFilter(ctx.access, type, 'd');
  const current = options.basedOn ?? (await currentDocument(ctx.store, type, id));
  if (!current) throw notFound(`${type}/${id} does not exist`);
  checkCurrent(ctx.access, 'd', current);
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
  return {
    doc,
    created: false,
    method: 'DELETE',
    operations: versionOperations(doc, current, 'DELETE'),
    versionAware: options.ifMatch !== undefined,
  };
}

/**
 * Stores planned writes in one atomic unit, durable when it resolves. `extra` operations (e.g. the keys of
 * conditional creates) join the same unit. A concurrent writer turns into 412 (If-Match) or 409, except on
 * the resources in `searchAgain`: a condition chose them, so the caller gets the store's error and searches again.
 */
export async function commitWrites(
  store: Store,
  plans: PlannedWrite[],
  extra: WriteOperation[] = [],
  searchAgain?: ReadonlySet<string>,
): Promise<void> {
  const operations = [...plans.flatMap((p) => p.operations), ...extra];
  if (operations.length === 0) return; // only unchanged resources: nothing to store
  try {
    await store.write(operations);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError || err instanceof DuplicateKeyError)) throw err;
    const lost = plans.find((p) => p.doc._id === err.documentId);
    if (!lost || searchAgain?.has(lost.doc._id)) throw err; // an extra operation's precondition, or a condition's: the caller knows what it means
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
  { preparer, access }: WriteContext,
  body: JsonObject,
  id: string,
  current: ResourceDocument | undefined,
  method: HistoryDocument['method'],
  versionAware = false,
): Promise<PlannedWrite> {
  // No scope for the interaction at all: 403 before any work (the new version's own check follows validation).
  requireFilter(access, body.resourceType as string, current && !current.deleted ? 'u' : 'c');
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
  // An update or patch that changes nothing writes nothing: no version, no history entry, no event (as HAPI).
  if (current && !current.deleted && current.content !== null) {
    const asCurrent = { ...stored, meta: { ...clientMeta, versionId: String(current.versionId), lastUpdated: current.lastUpdated } };
    if (stringifyFhirJson(asCurrent) === current.content) return { doc: current, created: false, method, operations: [], versionAware };
  }
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
  checkNewVersion(access, current, doc);
  const created = !current || current.deleted;
  return { doc, created, method, operations: versionOperations(doc, current, method), versionAware };
}

/** Current version (compare-and-swap on the version read), history version and outbox event. */
function versionOperations(
  doc: ResourceDocument,
  current: ResourceDocument | undefined,
  method: HistoryDocument['method'],
): WriteOperation[] {
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
