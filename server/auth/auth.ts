/**
 * The authorization server as the app mounts it: the bearer check and the routes (OAuth endpoints, discovery,
 * admin API). `createApp` takes an `AppAuth` and cannot be built without one: `startAuth` on a real server, or
 * `authBypass` in tests and benchmarks only (no setting of the shipped server reaches it).
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Engine } from '../engine/engine.ts';
import { systemPrincipal, type Principal } from '../engine/principal.ts';
import type { Services } from '../services.ts';
import { clientsRouter } from './admin/clients.ts';
import { keysRouter } from './admin/keys.ts';
import { usersRouter } from './admin/users.ts';
import { authCollections } from './auth-collections.ts';
import { authorizeRouter } from './authorize/routes.ts';
import { authenticate, bypassAuthentication } from './authenticate.ts';
import { bootstrapClient } from './bootstrap.ts';
import { authUrls, type AuthContext } from './context.ts';
import { discoveryRouter } from './discovery.ts';
import { oauthRouter } from './oauth-routes.ts';
import { SigningKeys } from './signing-keys.ts';
import { TokenCache } from './token-cache.ts';

export { AUTH_COLLECTIONS } from './auth-collections.ts';

export interface AppAuth {
  /** Runs before every route: sets the request's principal or answers 401. */
  middleware: Middleware;
  routers: Router[];
  /** Present on a real authorization server (not the bypass): for tests that look inside. */
  context?: AuthContext;
}

/** After the store opened (with AUTH_COLLECTIONS registered): loads or makes the signing keys, bootstraps the admin client. */
export async function startAuth(services: Services, engine: Engine, now: () => number = Date.now): Promise<AppAuth> {
  const { config, store, logger } = services;
  // A retired key verifies as long as any token it signed can live.
  const keys = new SigningKeys(store, config.accessTokenSeconds, now);
  await keys.load();
  const context: AuthContext = {
    config,
    store,
    logger,
    collections: authCollections(store),
    keys,
    cache: new TokenCache(),
    urls: authUrls(config.baseUrl),
    now,
  };
  await bootstrapClient(context);
  return {
    middleware: authenticate(context),
    routers: [
      discoveryRouter(context.urls),
      oauthRouter(context),
      authorizeRouter(services, engine),
      clientsRouter(context),
      usersRouter(context),
      keysRouter(context),
    ],
    context,
  };
}

/** Tests and benchmarks only: every request runs as `principal` (default: unrestricted), no token is asked. */
export function authBypass(principal: Principal = systemPrincipal('auth-bypass')): AppAuth {
  return { middleware: bypassAuthentication(principal), routers: [] };
}
