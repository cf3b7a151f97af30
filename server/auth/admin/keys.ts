/**
 * `POST /admin/keys/$rotate`: a new signing key signs from now on; the previous one keeps verifying the tokens it
 * signed until they expire (signing-keys.ts).
 */
import Router from '@koa/router';
import type { AuthContext } from '../context.ts';
import { requireAdmin, sendPlainJson } from './admin-request.ts';

export function keysRouter(context: AuthContext): Router {
  const router = new Router({ prefix: '/admin/keys' });
  router.post('/\\$rotate', async (ctx) => {
    requireAdmin(ctx);
    const kid = await context.keys.rotate();
    sendPlainJson(ctx, 200, { kid });
  });
  return router;
}
