/** `GET /admin/hl7/unmapped-authorities`: the assigning authorities used with a placeholder system (../unmapped-authorities.ts). */
import type { Context } from 'koa';
import { sendJson, type Engine } from '../../server/engine/index.ts';
import { unmappedAuthorities } from '../unmapped-authorities.ts';

export async function listUnmappedAuthorities(ctx: Context, engine: Engine): Promise<void> {
  const authorities = await unmappedAuthorities(engine);
  sendJson(ctx, 200, { total: authorities.length, authorities });
}
