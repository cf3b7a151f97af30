/**
 * The Koa application: request log and id -> error answers -> probes and features' routes -> format negotiation
 * -> FHIR routes.
 */
import type Router from '@koa/router';
import Koa from 'koa';
import { errorHandler } from './http/errors.ts';
import { negotiateFormat } from './http/format.ts';
import { requestLog } from './http/request-id.ts';
import { fhirRouter, probeRouter } from './http/routes.ts';
import { FhirError } from './errors/fhir-error.ts';
import type { Services } from './services.ts';

export const VERSION = '0.1.0';

/** `featureRoutes`: the routers of the features plugged in (server/engine/feature.ts), e.g. `/admin/hl7`. */
export function createApp(services: Services, featureRoutes: Router[] = []): Koa {
  const app = new Koa();
  app.proxy = true;
  app.silent = true;
  const fhir = fhirRouter(services, VERSION);
  app.use(requestLog(services.logger));
  app.use(errorHandler(services.logger));
  app.use(probeRouter(services).routes());
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
