/**
 * The FHIR REST route table under `/fhir` (https://hl7.org/fhir/R4/http.html#summary): each URL and method, the
 * handler that serves it, and what it means in CapabilityStatement terms. `server/http/routes.ts` builds the router
 * from it and `capabilities.ts` the CapabilityStatement, so `/metadata` lists exactly what is served.
 */
import type { CapabilityStatementRestInteraction, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import type { Context } from 'koa';
import type { CallerServices } from '../services.ts';
import { batchOrTransaction } from './batch-transaction.ts';
import { conditionalDelete, conditionalPatch, conditionalUpdate, create, patch, read, remove, update, vread } from './crud.ts';
import { history } from './history.ts';
import { REINDEX_DEFINITION, reindexOperation } from './reindex-operation.ts';
import { searchCompartment, searchSystem, searchType } from './search.ts';
import { unsupportedOperation } from './unsupported-operation.ts';
import { validateOperation } from './validate-operation.ts';

/** `services` carry the caller's Access (server/http/routes.ts): the read and write paths apply it. */
export type Handler = (ctx: Context, services: CallerServices) => Promise<void>;
export type TypeInteraction = NonNullable<CapabilityStatementRestResource['interaction']>[number]['code'];
export type SystemInteraction = CapabilityStatementRestInteraction['code'];

export interface FhirRoute {
  /** `all`: every method (the catch-all for unsupported operations). */
  method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'all';
  /** Below `/fhir`, in @koa/router syntax. */
  path: string;
  handler: Handler;
  /** The interactions it serves on every resource type (`:type` routes) or on the whole system. */
  typeInteractions?: TypeInteraction[];
  systemInteractions?: SystemInteraction[];
  /** The operation it serves, on every resource type or on the system. */
  operation?: { name: string; definition: string; scope: 'type' | 'system' };
}

const VALIDATE = 'http://hl7.org/fhir/OperationDefinition/Resource-validate';

export const FHIR_ROUTES: readonly FhirRoute[] = [
  { method: 'post', path: '/', handler: batchOrTransaction, systemInteractions: ['transaction', 'batch'] },
  { method: 'get', path: '/_history', handler: history, systemInteractions: ['history-system'] },
  { method: 'get', path: '/', handler: searchSystem, systemInteractions: ['search-system'] },
  { method: 'post', path: '/_search', handler: searchSystem, systemInteractions: ['search-system'] },
  {
    method: 'post',
    path: '/\\$reindex',
    handler: reindexOperation,
    operation: { name: 'reindex', definition: REINDEX_DEFINITION, scope: 'system' },
  },
  {
    method: 'post',
    path: '/:type/\\$validate',
    handler: validateOperation,
    operation: { name: 'validate', definition: VALIDATE, scope: 'type' },
  },
  {
    method: 'post',
    path: '/:type/:id/\\$validate',
    handler: validateOperation,
    operation: { name: 'validate', definition: VALIDATE, scope: 'type' },
  },
  {
    method: 'post',
    path: '/:type/\\$reindex',
    handler: reindexOperation,
    operation: { name: 'reindex', definition: REINDEX_DEFINITION, scope: 'type' },
  },
  { method: 'all', path: '/\\$:operation', handler: unsupportedOperation },
  { method: 'all', path: '/:type/\\$:operation', handler: unsupportedOperation },
  { method: 'all', path: '/:type/:id/\\$:operation', handler: unsupportedOperation },
  { method: 'get', path: '/:type/_history', handler: history, typeInteractions: ['history-type'] },
  { method: 'get', path: '/:type/:id/_history', handler: history, typeInteractions: ['history-instance'] },
  { method: 'get', path: '/:type/:id/_history/:vid', handler: vread, typeInteractions: ['vread'] },
  { method: 'get', path: '/:type', handler: searchType, typeInteractions: ['search-type'] },
  { method: 'post', path: '/:type/_search', handler: searchType, typeInteractions: ['search-type'] },
  { method: 'get', path: '/Patient/:id/:type', handler: searchCompartment },
  { method: 'post', path: '/:type', handler: create, typeInteractions: ['create'] },
  { method: 'put', path: '/:type', handler: conditionalUpdate },
  { method: 'patch', path: '/:type', handler: conditionalPatch },
  { method: 'delete', path: '/:type', handler: conditionalDelete },
  { method: 'get', path: '/:type/:id', handler: read, typeInteractions: ['read'] },
  { method: 'put', path: '/:type/:id', handler: update, typeInteractions: ['update'] },
  { method: 'patch', path: '/:type/:id', handler: patch, typeInteractions: ['patch'] },
  { method: 'delete', path: '/:type/:id', handler: remove, typeInteractions: ['delete'] },
];
