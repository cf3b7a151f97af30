/**
 * The Koa application: request log and id -> error answers -> CORS for browser apps -> the bearer check -> `/admin` for admins only (server/auth/authenticate.ts; no
 * route runs before it) -> probes, the authorization server's and features' routes -> format negotiation -> FHIR
 * routes.
 */
import type Router from '@koa/router';
import Koa from 'koa';
import { adminOnly } from './http/admin-only.ts';
import { corsForApps } from './http/cors.ts';
import { errorHandler } from './http/errors.ts';
import { negotiateFormat } from './http/format.ts';
import { requestLog } from './http/request-id.ts';
import { fhirRouter, probeRouter } from './http/routes.ts';
import { FhirError } from './errors/fhir-error.ts';
import type { Services } from './services.ts';
import type { AppAuth } from './auth/auth.ts';

export const VERSION = '0.1.0';

/**
 * `auth`: the authorization server (`startAuth`), required, since authorization is always on (tests and benchmarks
 * may pass `authBypass`). `featureRoutes`: the routers of the features plugged in (server/engine/feature.ts), e.g.
 * `/admin/hl7`; the bearer check runs before them.
 */
export function createApp(services: Services, auth: AppAuth, featureRoutes: Router[] = []): Koa {
  const app = new Koa();
  app.proxy = true;
  app.silent = true;
  const fhir = fhirRouter(services, VERSION);
  app.use(requestLog(services.logger));
  app.use(errorHandler(services.logger));
  app.use(corsForApps());
  app.use(auth.middleware);
  app.use(adminOnly);
  app.use(probeRouter(services).routes());
  for (const router of auth.routers) app.use(router.routes());
  for (const router of featureRoutes) app.use(router.routes());
  app.use(negotiateFormat);
  app.use(fhir.routes());
  app.use(
    fhir.allowedMethods({
      throw: true,
      notImplemented: () => FhirError.of('not-implemented', 'not-supported', 'Method not implemented'),
      methodNotAllowed: () => FhirError.of('method-not-allowed', 'not-supported', 'Method not allowed on this URL'),
    }),
  );
  return app;
}
