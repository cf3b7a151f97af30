/**
 * Everything under `/admin` (the admin API, the HL7 listener's queue and replay, EHR launches, key rotation) is
 * for admin principals only: one rule for every router mounted there, features' included, so that no admin
 * route is ever open to a clinical token by being forgotten.
 */
import type { Context, Next } from 'koa';
import { requireAdmin } from '../access/enforce.ts';
import { principalOf } from './principal.ts';

export async function adminOnly(ctx: Context, next: Next): Promise<void> {
  if (ctx.path === '/admin' || ctx.path.startsWith('/admin/')) requireAdmin(principalOf(ctx).access, `${ctx.method} ${ctx.path}`);
  await next();
}
