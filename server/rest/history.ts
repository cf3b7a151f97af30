/**
 * History: instance, type and system (https://hl7.org/fhir/R4/http.html#history), newest first,
 * with `_count`, `_since` and key-based paging links (`_page`, opaque to clients).
 */
import type { Context } from 'koa';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { parseFhirJson } from '../fhir-json/fhir-json.ts';
import { sendJson } from '../http/respond.ts';
import { readHistory, type HistoryQuery } from '../repository/read-path.ts';
import { bundleLinks, type QueryPairs } from '../search/bundle-links.ts';
import { decodePageToken, encodePageToken } from '../search/page-token.ts';
import { assertResourceType, assertValidId } from '../validation/id-rule.ts';
import type { HistoryDocument } from '../store/documents.ts';
import { badRequest } from '../errors/fhir-error.ts';
import type { CallerServices } from '../services.ts';
import { ResponseBudget } from '../repository/response-budget.ts';

export async function history(ctx: Context, { store, config, access }: CallerServices): Promise<void> {
  const { type, id } = ctx.params as { type?: string; id?: string };
  if (type) assertResourceType(type);
  if (id !== undefined) assertValidId(id);
  const query: HistoryQuery = { type, id, count: countOf(ctx.query._count, config.defaultCount, config.maxCount) };
  const since = single(ctx.query._since, '_since');
  if (since !== undefined) {
    const t = Date.parse(since);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(since) || Number.isNaN(t)) throw badRequest(`_since must be an instant, got '${since}'`, '_since');
    query.since = new Date(t).toISOString();
  }
  const page = single(ctx.query._page, '_page');
  if (page !== undefined) query.before = decodePage(page);
  const { entries, next } = await readHistory(store, access, query);

  const path = [type, id, '_history'].filter(Boolean).join('/');
  const params: QueryPairs = [['_count', String(query.count)]];
  if (since !== undefined) params.push(['_since', since]);
  const link = bundleLinks(`${config.baseUrl}/${path}`, {
    self: [...new URLSearchParams(ctx.querystring)],
    query: params,
    first: page !== undefined,
    ...(next ? { next: encodePage(next) } : {}),
  });
  const budget = new ResponseBudget(config.maxResponseBytes);
  const bundle: Bundle = { resourceType: 'Bundle', type: 'history', link, entry: entries.map((e) => entryOf(e, config.baseUrl, budget)) };
  sendJson(ctx, 200, bundle);
}

function entryOf(doc: HistoryDocument, baseUrl: string, budget: ResponseBudget): BundleEntry {
  const entry: BundleEntry = { fullUrl: `${baseUrl}/${doc.resourceType}/${doc.id}` };
  if (doc.content !== null) {
    budget.charge(doc.content); // MAX_RESPONSE_BYTES, before parsing
    entry.resource = parseFhirJson(doc.content) as unknown as BundleEntry['resource'];
  }
  entry.request = {
    method: doc.method,
    url: doc.method === 'POST' ? doc.resourceType : `${doc.resourceType}/${doc.id}`,
  };
  entry.response = {
    status: doc.method === 'POST' ? '201 Created' : doc.method === 'DELETE' ? '204 No Content' : '200 OK',
    etag: `W/"${doc.versionId}"`,
    lastModified: doc.lastUpdated,
  };
  return entry;
}

function single(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) throw badRequest(`${name} may be given once`, name);
  return value;
}

export function countOf(value: string | string[] | undefined, fallback: number, max: number): number {
  const raw = single(value, '_count');
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) throw badRequest(`_count must be a non-negative integer, got '${raw}'`, '_count');
  return Math.min(Number(raw), max);
}

/** History pages are keyed on (lastUpdated, _id) of the last entry shown, newest first (page-token.ts). */
function encodePage(key: { lastUpdated: string; _id: string }): string {
  return encodePageToken({ direction: 'n', key: [key.lastUpdated, key._id] });
}

function decodePage(page: string): { lastUpdated: string; _id: string } {
  const { direction, key } = decodePageToken(page, 2);
  const [lastUpdated, _id] = key;
  if (direction !== 'n' || typeof lastUpdated !== 'string' || Number.isNaN(Date.parse(lastUpdated)) || typeof _id !== 'string') {
    throw badRequest('_page is not a page token from this server', '_page');
  }
  return { lastUpdated, _id };
}
