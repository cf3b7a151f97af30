/**
 * The Koa application: request log and id -> error answers -> format negotiation -> routes.
 */
import Koa from 'koa';
import { errorHandler } from './http/errors.ts';
import { negotiateFormat } from './http/format.ts';
import { requestLog } from './http/request-id.ts';
import { fhirRouter, probeRouter } from './http/routes.ts';
import { hl7AdminRouter } from '../hl7-listener/admin/routes.ts';
import { FhirError } from './errors/fhir-error.ts';
import type { Services } from './services.ts';

export const VERSION = '0.1.0';

export function createApp(services: Services): Koa {
  const app = new Koa();
  app.proxy = true;
  app.silent = true;
  const fhir = fhirRouter(services, VERSION);
  app.use(requestLog(services.logger));
  app.use(errorHandler(services.logger));
  app.use(probeRouter(services).routes());
  app.use(hl7AdminRouter(services).routes());
  app.use(negotiateFormat);
  app.use(fhir.routes());
  app.use(fhir.allowedMethods({ throw: true, notImplemented: () => FhirError.of('not-implemented', 'not-supported', 'Method not implemented'), methodNotAllowed: () => FhirError.of('method-not-allowed', 'not-supported', 'Method not allowed on this URL') }));
  return app;
}
