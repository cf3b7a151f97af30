/**
 * The FHIR REST route table under `/fhir` (https://hl7.org/fhir/R4/http.html#summary), plus the process probes.
 * Each route hands the request to one handler in server/rest/.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { capabilityStatement } from '../rest/capabilities.ts';
import { batchOrTransaction } from '../rest/batch-transaction.ts';
import { conditionalDelete, conditionalPatch, conditionalUpdate, create, patch, read, remove, update, vread } from '../rest/crud.ts';
import { history } from '../rest/history.ts';
import { reindexOperation } from '../rest/reindex-operation.ts';
import { searchCompartment, searchSystem, searchType } from '../rest/search.ts';
import type { Services } from '../services.ts';
import { validateOperation } from '../rest/validate-operation.ts';
import { withResponseBudget } from '../rest/response-budget.ts';
import { sendJson } from './respond.ts';

type Handler = (ctx: Context, services: Services) => Promise<void>;

export function fhirRouter(services: Services, version: string): Router {
  const router = new Router({ prefix: '/fhir' });
  const h = (handler: Handler) => (ctx: Context) => handler(ctx, services);
  let capabilities: CapabilityStatement | undefined;
  // Every FHIR answer counts the resources it holds against MAX_RESPONSE_BYTES (rest/response-budget.ts).
  router.use((ctx, next) => withResponseBudget(services.config.maxResponseBytes, next));

  router.get('/metadata', (ctx) => {
    capabilities ??= capabilityStatement(services.config, version);
    sendJson(ctx, 200, capabilities);
  });
  router.get('/', h(searchSystem));
  router.post('/', h(batchOrTransaction));
  router.post('/_search', h(searchSystem));
  router.post('/\\$reindex', h(reindexOperation));
  router.get('/_history', h(history));
  router.post('/:type/\\$validate', h(validateOperation));
  router.post('/:type/:id/\\$validate', h(validateOperation));
  router.post('/:type/\\$reindex', h(reindexOperation));
  router.get('/:type/_history', h(history));
  router.get('/:type/:id/_history', h(history));
  router.get('/:type/:id/_history/:vid', h(vread));
  router.get('/:type', h(searchType));
  router.post('/:type/_search', h(searchType));
  router.get('/Patient/:id/:type', h(searchCompartment));
  router.post('/:type', h(create));
  router.put('/:type', h(conditionalUpdate));
  router.patch('/:type', h(conditionalPatch));
  router.delete('/:type', h(conditionalDelete));
  router.get('/:type/:id', h(read));
  router.put('/:type/:id', h(update));
  router.patch('/:type/:id', h(patch));
  router.delete('/:type/:id', h(remove));
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
