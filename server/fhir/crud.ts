/**
 * The instance interactions: read, vread, create, update, patch, delete (https://hl7.org/fhir/R4/http.html).
 * Each handler: parse the HTTP request -> call the read or write path -> write the HTTP answer.
 */
import type { Context } from 'koa';
import { readJsonBody } from '../http/body.ts';
import { preferredReturn, sendJson, sendResourceText, setVersionHeaders } from '../http/respond.ts';
import { readResource, readVersion } from '../repository/read-path.ts';
import {
  assertResourceType,
  createResource,
  deleteResource,
  patchResource,
  updateResource,
  type WriteResult,
} from '../repository/write-path.ts';
import { allOk, badRequest } from './outcome.ts';
import type { Services } from './services.ts';

export async function read(ctx: Context, { store }: Services): Promise<void> {
  const { type, id } = ctx.params as { type: string; id: string };
  assertResourceType(type);
  const doc = await readResource(store, type, id);
  setVersionHeaders(ctx, doc.versionId, doc.lastUpdated);
  if (notModified(ctx, doc.versionId, doc.lastUpdated)) {
    ctx.status = 304;
    return;
  }
  sendResourceText(ctx, 200, doc.content!);
}

export async function vread(ctx: Context, { store }: Services): Promise<void> {
  const { type, id, vid } = ctx.params as { type: string; id: string; vid: string };
  assertResourceType(type);
  const doc = await readVersion(store, type, id, vid);
  setVersionHeaders(ctx, doc.versionId, doc.lastUpdated);
  sendResourceText(ctx, 200, doc.content!);
}

export async function create(ctx: Context, services: Services): Promise<void> {
  const { type } = ctx.params as { type: string };
  assertResourceType(type);
  const body = await readJsonBody(ctx, services.config.maxBodyBytes);
  const result = await createResource(services.store, type, body);
  answerWrite(ctx, services, result, `Created ${type}/${result.doc.id}`);
}

export async function update(ctx: Context, services: Services): Promise<void> {
  const { type, id } = ctx.params as { type: string; id: string };
  assertResourceType(type);
  const body = await readJsonBody(ctx, services.config.maxBodyBytes);
  const result = await updateResource(services.store, type, id, body, { ifMatch: ifMatchOf(ctx) });
  answerWrite(ctx, services, result, `${result.created ? 'Created' : 'Updated'} ${type}/${id}`);
}

export async function patch(ctx: Context, services: Services): Promise<void> {
  const { type, id } = ctx.params as { type: string; id: string };
  assertResourceType(type);
  const body = await readJsonBody(ctx, services.config.maxBodyBytes, true);
  const result = await patchResource(services.store, type, id, body, { ifMatch: ifMatchOf(ctx) });
  answerWrite(ctx, services, result, `Patched ${type}/${id}`);
}

export async function remove(ctx: Context, { store }: Services): Promise<void> {
  const { type, id } = ctx.params as { type: string; id: string };
  assertResourceType(type);
  const doc = await deleteResource(store, type, id);
  if (doc) setVersionHeaders(ctx, doc.versionId, doc.lastUpdated);
  if (preferredReturn(ctx) === 'OperationOutcome') {
    sendJson(ctx, 200, allOk(doc ? `Deleted ${type}/${id}` : `${type}/${id} was already deleted`));
    return;
  }
  ctx.status = 204;
}

/** 201 with Location for a creation, 200 otherwise; the body as the client's Prefer header asks. */
function answerWrite(ctx: Context, { config }: Services, { doc, created }: WriteResult, message: string): void {
  setVersionHeaders(ctx, doc.versionId, doc.lastUpdated);
  const status = created ? 201 : 200;
  if (created) ctx.set('Location', `${config.baseUrl}/${doc.resourceType}/${doc.id}/_history/${doc.versionId}`);
  const prefer = preferredReturn(ctx);
  if (prefer === 'minimal') {
    ctx.status = status;
    ctx.body = ''; // Koa would otherwise send the status text
  }
  else if (prefer === 'OperationOutcome') sendJson(ctx, status, allOk(message));
  else sendResourceText(ctx, status, doc.content!);
}

/** `If-Match: W/"3"` (or `"3"`) -> 3 */
function ifMatchOf(ctx: Context): number | undefined {
  const header = ctx.get('if-match');
  if (!header) return undefined;
  const m = /^(?:W\/)?"?([0-9]+)"?$/.exec(header.trim());
  if (!m) throw badRequest(`If-Match must be a version ETag like W/"1", got '${header}'`);
  return Number(m[1]);
}

/** If-None-Match (a version ETag or `*`) and If-Modified-Since on reads (https://hl7.org/fhir/R4/http.html#cread). */
function notModified(ctx: Context, versionId: number, lastUpdated: string): boolean {
  const ifNoneMatch = ctx.get('if-none-match');
  if (ifNoneMatch) {
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t.replace(/^W\//, '').replace(/"/g, '') === String(versionId);
    });
  }
  const ifModifiedSince = ctx.get('if-modified-since');
  if (ifModifiedSince) {
    const since = Date.parse(ifModifiedSince);
    // HTTP dates have second precision: compare at that precision.
    return !Number.isNaN(since) && Math.floor(Date.parse(lastUpdated) / 1000) * 1000 <= since;
  }
  return false;
}
