/**
 * What the admin API's handlers share: the admin check (403 for any other principal), the JSON body as an
 * object, and plain JSON answers (these are not FHIR resources).
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { FeatureCollection } from '../../engine/feature-collection.ts';
import type { StoredDocument } from '../../store/port.ts';
import { badRequest, forbidden } from '../../errors/fhir-error.ts';
import { readJsonBody } from '../../http/body.ts';
import { principalOf } from '../../http/principal.ts';
import type { AuthContext } from '../context.ts';

export function requireAdmin(ctx: Context): void {
  if (!principalOf(ctx).access.admin) throw forbidden('The admin API needs an admin client or user');
}

export async function jsonObject(context: AuthContext, ctx: Context): Promise<Record<string, unknown>> {
  const body = await readJsonBody(ctx, Math.min(context.config.maxBodyBytes, 1024 * 1024));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a JSON object');
  return body as Record<string, unknown>;
}

export function sendPlainJson(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json';
  ctx.body = body;
}

/** Fields a request may not set: refused by name rather than silently ignored. */
export function refuseUnknown(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw badRequest(`'${key}' cannot be set here; allowed: ${allowed.join(', ')}`, key);
  }
}

/** `GET /` (every live document, oldest first) and `GET /:id`, shown through `view`. */
export function serveReads<T extends StoredDocument>(
  router: Router,
  collection: FeatureCollection<T>,
  found: (id: string) => Promise<T>,
  view: (doc: T) => Record<string, unknown>,
): void {
  router.get('/', async (ctx) => {
    requireAdmin(ctx);
    const all = await collection.find({ deleted: { $ne: true } }, { sort: { created: 1 } });
    sendPlainJson(ctx, 200, all.map(view));
  });
  router.get('/:id', async (ctx) => {
    requireAdmin(ctx);
    sendPlainJson(ctx, 200, view(await found(ctx.params.id)));
  });
}
