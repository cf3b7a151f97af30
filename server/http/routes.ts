/**
 * The Koa routers: `/fhir` built from the route table (server/rest/route-table.ts) plus `/metadata`, and the
 * process probes.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { capabilityStatement } from '../rest/capabilities.ts';
import { FHIR_ROUTES } from '../rest/route-table.ts';
import type { Services } from '../services.ts';
import { principalOf } from './principal.ts';
import { sendJson } from './respond.ts';

export function fhirRouter(services: Services, version: string): Router {
  const router = new Router({ prefix: '/fhir' });
  let capabilities: CapabilityStatement | undefined;
  router.get('/metadata', (ctx) => {
    capabilities ??= capabilityStatement(services.config, version, FHIR_ROUTES);
    sendJson(ctx, 200, capabilities);
  });
  // Each request's handler gets the services with what its principal may do (set by the bearer check).
  for (const { method, path, handler } of FHIR_ROUTES) {
    router[method](path, (ctx: Context) => handler(ctx, { ...services, access: principalOf(ctx).access }));
  }
  return router;
}

export function probeRouter(services: Services): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const ready = await services.store.ping();
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'store unreachable' };
  });
  return router;
}
