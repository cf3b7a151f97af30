/**
 * The instance interactions: read, vread, create, update, patch, delete (https://hl7.org/fhir/R4/http.html).
 * Each handler: parse the HTTP request -> call the read or write path -> write the HTTP answer.
 */
import type { Context } from 'koa';
import { versionOf, type EntryRequest } from '../bundle/entry-request.ts';
import { applyTransaction } from '../bundle/transaction.ts';
import { isJsonObject, stringifyFhirJson, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';
import { readJsonBody } from '../http/body.ts';
import { notModified } from '../repository/not-modified.ts';
import { preferredReturn, sendJson, sendResourceText, setVersionHeaders } from '../http/respond.ts';
import { readResource, readVersion } from '../repository/read-path.ts';
import { createResource, deleteResource, patchResource, updateResource, type WriteResult } from '../repository/write-path.ts';
import { allOk } from '../errors/outcome.ts';
import { assertResourceType, assertValidId } from '../validation/id-rule.ts';
import { badRequest } from '../errors/fhir-error.ts';
import type { ResourceDocument } from '../store/documents.ts';
import type { CallerServices } from '../services.ts';

export async function read(ctx: Context, { store, access }: CallerServices): Promise<void> {
  const { type, id } = ctx.params as { type: string; id: string };
  assertResourceType(type);
  assertValidId(id);
  const doc = await readResource(store, access, type, id);
  setVersionHeaders(ctx, doc.versionId, doc.lastUpdated);
  if (notModified(ctx.get('if-none-match'), ctx.get('if-modified-since'), doc.versionId, doc.lastUpdated)) {
    ctx.status = 304;
    return;
  }
  sendResourceText(ctx, 200, doc.content!);
}

export async function vread(ctx: Context, { store, access }: CallerServices): Promise<void> {
  const { type, id, vid } = ctx.params as { type: string; id: string; vid: string };
  assertResourceType(type);
  assertValidId(id);
  const doc = await readVersion(store, access, type, id, vid);
  setVersionHeaders(ctx, doc.versionId, doc.lastUpdated);
  sendResourceText(ctx, 200, doc.content!);
}

/** POST [type]; with `If-None-Exist`, a conditional create (http.html#ccreate: one match answers 200 with it). */
export async function create(ctx: Context, services: CallerServices): Promise<void> {
  const { type } = ctx.params as { type: string };
  assertResourceType(type);
  const body = await readJsonBody(ctx, services.config.maxBodyBytes);
  const ifNoneExist = ctx.get('if-none-exist');
  if (ifNoneExist) {
    const query = ifNoneExist.replace(/^[^?]*\?/, '');
    const result = await conditional(services, { method: 'POST', url: type, type, ifNoneExist: query, resource: asObject(body) });
    answerWrite(
      ctx,
      services,
      result,
      result.created ? `Created ${type}/${result.doc.id}` : `${type}/${result.doc.id} matches If-None-Exist`,
    );
    return;
  }
  const result = await createResource(services, type, body);
  answerWrite(ctx, services, result, `Created ${type}/${result.doc.id}`);
}

/** PUT [type]?search (http.html#cond-update): update the one match, create when none, 412 for several. */
export async function conditionalUpdate(ctx: Context, services: CallerServices): Promise<void> {
  const { type } = ctx.params as { type: string };
  assertResourceType(type);
  const body = await readJsonBody(ctx, services.config.maxBodyBytes);
  const result = await conditional(services, {
    method: 'PUT',
    url: ctx.url,
    type,
    query: ctx.querystring,
    resource: asObject(body),
    ...ifMatch(ctx),
  });
  answerWrite(ctx, services, result, `${result.created ? 'Created' : 'Updated'} ${type}/${result.doc.id}`);
}

/** PATCH [type]?search (http.html#patch): patch the one match; none is 404, several 412. */
export async function conditionalPatch(ctx: Context, services: CallerServices): Promise<void> {
  const { type } = ctx.params as { type: string };
  assertResourceType(type);
  const body = await readJsonBody(ctx, services.config.maxBodyBytes, true);
  const binary = {
    resourceType: 'Binary',
    contentType: 'application/json-patch+json',
    data: Buffer.from(stringifyFhirJson(body)).toString('base64'),
  };
  const result = await conditional(services, {
    method: 'PATCH',
    url: ctx.url,
    type,
    query: ctx.querystring,
    resource: binary,
    ...ifMatch(ctx),
  });
  answerWrite(ctx, services, result, `Patched ${type}/${result.doc.id}`);
}

/**
 * DELETE [type]?search (http.html#cdelete): deletes the one match; several are 412 unless
 * CONDITIONAL_DELETE_MULTIPLE allows deleting them all; no match deletes nothing (204, as an ordinary delete).
 */
export async function conditionalDelete(ctx: Context, services: CallerServices): Promise<void> {
  const { type } = ctx.params as { type: string };
  assertResourceType(type);
  const request: EntryRequest = { index: 0, method: 'DELETE', url: ctx.url, type, query: ctx.querystring };
  const [result] = await applyTransaction(services, [request], { deleteMultiple: services.config.conditionalDeleteMultiple });
  if (preferredReturn(ctx) === 'OperationOutcome') {
    sendJson(
      ctx,
      200,
      allOk(
        result.deleted
          ? `Deleted ${result.deleted} ${type} matching '${ctx.querystring}'`
          : `No ${type} matching '${ctx.querystring}' to delete`,
      ),
    );
    return;
  }
  ctx.status = 204;
}

export async function update(ctx: Context, services: CallerServices): Promise<void> {
  const { type, id } = ctx.params as { type: string; id: string };
  assertResourceType(type);
  assertValidId(id);
  const body = await readJsonBody(ctx, services.config.maxBodyBytes);
  const result = await updateResource(services, type, id, body, { ifMatch: ifMatchOf(ctx) });
  answerWrite(ctx, services, result, `${result.created ? 'Created' : 'Updated'} ${type}/${id}`);
}

export async function patch(ctx: Context, services: CallerServices): Promise<void> {
  const { type, id } = ctx.params as { type: string; id: string };
  assertResourceType(type);
  assertValidId(id);
  const body = await readJsonBody(ctx, services.config.maxBodyBytes, true);
  const result = await patchResource(services, type, id, body, { ifMatch: ifMatchOf(ctx) });
  answerWrite(ctx, services, result, `Patched ${type}/${id}`);
}

export async function remove(ctx: Context, services: CallerServices): Promise<void> {
  const { type, id } = ctx.params as { type: string; id: string };
  assertResourceType(type);
  assertValidId(id);
  const doc = await deleteResource(services, type, id);
  if (doc) setVersionHeaders(ctx, doc.versionId, doc.lastUpdated);
  if (preferredReturn(ctx) === 'OperationOutcome') {
    sendJson(ctx, 200, allOk(doc ? `Deleted ${type}/${id}` : `${type}/${id} was already deleted`));
    return;
  }
  ctx.status = 204;
}

/** 201 with Location for a creation, 200 otherwise; the body as the client's Prefer header asks. */
function answerWrite(ctx: Context, { config }: CallerServices, { doc, created }: WriteResult, message: string): void {
  setVersionHeaders(ctx, doc.versionId, doc.lastUpdated);
  const status = created ? 201 : 200;
  if (created) ctx.set('Location', `${config.baseUrl}/${doc.resourceType}/${doc.id}/_history/${doc.versionId}`);
  const prefer = preferredReturn(ctx);
  if (prefer === 'minimal') {
    ctx.status = status;
    ctx.body = ''; // Koa would otherwise send the status text
  } else if (prefer === 'OperationOutcome') sendJson(ctx, status, allOk(message));
  else sendResourceText(ctx, status, doc.content!);
}

/** `If-Match: W/"3"` (or `"3"`) -> 3 */
function ifMatchOf(ctx: Context): number | undefined {
  const header = ctx.get('if-match');
  return header ? versionOf(header, 'If-Match') : undefined;
}

function ifMatch(ctx: Context): { ifMatch?: number } {
  const version = ifMatchOf(ctx);
  return version === undefined ? {} : { ifMatch: version };
}

function asObject(body: JsonValue): JsonObject {
  if (!isJsonObject(body)) throw badRequest('The body must be a JSON object (a FHIR resource)');
  return body;
}

/** A conditional interaction is a transaction of one entry (server/bundle/transaction.ts): one set of rules. */
async function conditional(services: CallerServices, request: Omit<EntryRequest, 'index'>): Promise<WriteResult> {
  const [result] = await applyTransaction(services, [{ index: 0, ...request }], { deleteMultiple: false });
  const doc = result.doc as ResourceDocument;
  return { doc, created: result.status === 201 };
}
