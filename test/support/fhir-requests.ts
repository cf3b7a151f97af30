/**
 * Small FHIR REST helpers over Node's global fetch for end-to-end tests against a real server process:
 * JSON reads, every page of a history Bundle (following `next` links), and bounded-concurrency mapping. Requests to a
 * child server carry its test admin token (tokens.ts).
 */
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { authorizationFor } from './tokens.ts';

export const FHIR_JSON = 'application/fhir+json';

export interface JsonAnswer<T = unknown> {
  status: number;
  headers: Headers;
  /** The parsed body; undefined when the body is empty or not JSON. */
  body: T | undefined;
  text: string;
}

export async function getJson<T = unknown>(url: string, timeoutMs = 10_000): Promise<JsonAnswer<T>> {
  const res = await fetch(url, { headers: { accept: FHIR_JSON, ...authorizationFor(url) }, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: T | undefined;
  try {
    body = text ? (JSON.parse(text) as T) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** Every entry of a history (or searchset) Bundle, all pages, in the server's order. */
export async function readAllPages(firstUrl: string, maxPages = 1_000): Promise<BundleEntry<Resource>[]> {
  const entries: BundleEntry<Resource>[] = [];
  let url: string | undefined = firstUrl;
  for (let page = 0; url; page++) {
    if (page >= maxPages) throw new Error(`more than ${maxPages} pages from ${firstUrl}`);
    const answer: JsonAnswer<Bundle> = await getJson<Bundle>(url, 30_000);
    if (answer.status !== 200 || answer.body?.resourceType !== 'Bundle') {
      throw new Error(`GET ${url} -> ${answer.status}: ${answer.text.slice(0, 500)}`);
    }
    entries.push(...((answer.body.entry ?? []) as BundleEntry<Resource>[]));
    url = answer.body.link?.find((l) => l.relation === 'next')?.url;
  }
  return entries;
}

/** `fn` over `items` with at most `limit` calls at a time; results in the order of `items`. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
