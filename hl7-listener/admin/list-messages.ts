/** `GET /admin/hl7/messages[?status=failed|applied&_count=&_offset=]`: the error queue by default, newest first. */
import type { Context } from 'koa';
import { badRequest, sendJson, type Engine } from '../../server/engine/index.ts';
import { archiveOf } from '../archive.ts';

const MAX_COUNT = 200;

export async function listMessages(ctx: Context, engine: Engine): Promise<void> {
  const status = String(ctx.query.status ?? 'failed');
  if (status !== 'failed' && status !== 'applied') throw badRequest('status must be failed or applied', 'status');
  const count = Math.min(integer(ctx.query._count, 50, '_count'), MAX_COUNT);
  const offset = integer(ctx.query._offset, 0, '_offset');
  const filter = { status };
  const archive = archiveOf(engine);
  const [total, page] = await Promise.all([
    archive.count(filter),
    archive.find(filter, { sort: { receivedAt: -1 }, skip: offset, limit: count }),
  ]);
  const messages = page.map(
    ({ _id, peer, sendingApplication, sendingFacility, controlId, messageType, receivedAt, ackCode, error, replays }) => ({
      id: _id,
      peer,
      sendingApplication,
      sendingFacility,
      controlId,
      messageType,
      receivedAt,
      ackCode,
      error,
      replays,
    }),
  );
  const next = offset + count < total ? `/admin/hl7/messages?status=${status}&_count=${count}&_offset=${offset + count}` : undefined;
  sendJson(ctx, 200, { total, offset, count, messages, ...(next && { next }) });
}

function integer(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name} must be a non-negative integer`, name);
  return n;
}
