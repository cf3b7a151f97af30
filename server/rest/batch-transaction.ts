/**
 * `POST [base]` with a `batch` or `transaction` Bundle (https://hl7.org/fhir/R4/http.html#transaction).
 * A transaction answers its `transaction-response`, or one error (the failing entry named in the
 * OperationOutcome) having changed nothing; a batch answers each entry's own outcome.
 */
import type { Context } from 'koa';
import { applyBatch } from '../bundle/batch.ts';
import { parseEntryRequest, type EntryRequest } from '../bundle/entry-request.ts';
import { responseBundle } from './response-bundle.ts';
import { applyTransaction } from '../bundle/transaction.ts';
import { ResponseBudget } from '../repository/response-budget.ts';
import { isJsonObject, shown } from '../fhir-json/fhir-json.ts';
import { readJsonBody } from '../http/body.ts';
import { preferredReturn, sendJson } from '../http/respond.ts';
import { FhirError, badRequest } from '../errors/fhir-error.ts';
import type { CallerServices } from '../services.ts';

export async function batchOrTransaction(ctx: Context, services: CallerServices): Promise<void> {
  const { config } = services;
  const bundle = await readJsonBody(ctx, config.maxBodyBytes);
  if (!isJsonObject(bundle) || bundle.resourceType !== 'Bundle') {
    throw badRequest('POST [base] takes a Bundle of type batch or transaction', 'resourceType');
  }
  const type = bundle.type;
  if (type !== 'batch' && type !== 'transaction') {
    throw badRequest(`POST [base] takes a Bundle of type batch or transaction, not '${shown(type)}'`, 'Bundle.type');
  }
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw badRequest('Bundle.entry must be an array', 'Bundle.entry');
  if (entries.length > config.maxBundleEntries) {
    throw FhirError.of(
      'too-large',
      'too-costly',
      `The Bundle has ${entries.length} entries; the limit is ${config.maxBundleEntries} (MAX_BUNDLE_ENTRIES)`,
      'Bundle.entry',
    );
  }
  // One response budget (MAX_RESPONSE_BYTES) for the whole Bundle: the reads of its entries, then the answer.
  const budget = new ResponseBudget(config.maxResponseBytes);
  const options = { deleteMultiple: config.conditionalDeleteMultiple, budget };
  const prefer = preferredReturn(ctx);
  if (type === 'transaction') {
    const requests = entries.map((e, i) => parseEntryRequest(e, i, config.baseUrl));
    const results = await applyTransaction(services, requests, options);
    sendJson(ctx, 200, responseBundle('transaction-response', results, requests, config.baseUrl, prefer, budget));
    return;
  }
  const requests = entries.map((e, i): EntryRequest | FhirError => {
    try {
      return parseEntryRequest(e, i, config.baseUrl);
    } catch (err) {
      if (err instanceof FhirError) return err;
      throw err;
    }
  });
  const results = await applyBatch(services, requests, options);
  const parsed = requests.map((r) => (r instanceof FhirError ? undefined : r));
  sendJson(ctx, 200, responseBundle('batch-response', results, parsed, config.baseUrl, prefer, budget));
}
