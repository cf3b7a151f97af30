/** `GET /admin/hl7/unmapped-authorities`: the assigning authorities used with a placeholder system (../unmapped-authorities.ts). */
import type { Context } from 'koa';
import { sendJson } from '../../server/http/respond.ts';
import type { Services } from '../../server/services.ts';
import { unmappedAuthorities } from '../unmapped-authorities.ts';

export async function listUnmappedAuthorities(ctx: Context, services: Services): Promise<void> {
  const authorities = await unmappedAuthorities(services.store);
  sendJson(ctx, 200, { total: authorities.length, authorities });
}
