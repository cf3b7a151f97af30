/**
 * `POST [base]/$reindex` and `POST [base]/[type]/$reindex`: extract the search values of every current resource
 * (of one type) again, after a SearchParameter was added or changed (server/repository/reindex.ts). A Fhirline
 * operation, as HAPI's `$reindex`; it answers when done, with a Parameters resource holding the counts.
 * Not yet guarded by authorisation (that issue comes later).
 */
import type { Context } from 'koa';
import type { Parameters } from '@medplum/fhirtypes';
import { sendJson } from '../http/respond.ts';
import { reindex, type ReindexSummary } from '../repository/reindex.ts';
import { assertResourceType } from '../validation/id-rule.ts';
import { requireAdmin } from '../access/enforce.ts';
import type { CallerServices } from '../services.ts';

/** The canonical URL the CapabilityStatement gives the operation. */
export const REINDEX_DEFINITION = 'http://fhirline.org/fhir/OperationDefinition/reindex';

export async function reindexOperation(ctx: Context, { store, logger, access }: CallerServices): Promise<void> {
  requireAdmin(access, '$reindex');
  const { type } = ctx.params as { type?: string };
  if (type !== undefined) assertResourceType(type);
  const summary = await reindex(store, { types: type === undefined ? undefined : [type] });
  logger.info('reindex done', { type: type ?? 'all', ...summary });
  sendJson(ctx, 200, reindexParameters(summary));
}

export function reindexParameters(summary: ReindexSummary): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: (Object.keys(summary) as (keyof ReindexSummary)[]).map((name) => ({ name, valueInteger: summary[name] })),
  };
}
