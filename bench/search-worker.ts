/**
 * Load process of the search benchmark (forked by search.ts): runs each query of the mix (search-queries.ts)
 * against a running server for a fixed time, closed-loop at the given concurrency, cycling through the
 * query's variants. Every request sends `Prefer: handling=strict`, so a parameter the server would ignore is an
 * error here rather than a silently broader search. A paged query follows `next` links; the walk is one
 * operation and each page's latency is recorded too.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { createHttpClient } from './http-client.ts';
import { runPhase, type OpOutcome, type PhaseReport } from './load.ts';
import { serveLoad } from './load-process.ts';
import { summarize, type LatencySummary } from './percentiles.ts';
import { peakRssMb } from './proc-stats.ts';
import type { SearchQuery } from './search-queries.ts';

export interface SearchWorkerInput {
  origin: string;
  serverPid: number;
  concurrency: number;
  /** Measured time per query. */
  queryMs: number;
  /** Untimed requests per query first (each variant once at least). */
  warmupOps: number;
  queries: SearchQuery[];
  client: 'raw' | 'node-http';
  /** Headers every request carries: the bench token (`authorization: Bearer …`), from start-server.ts. */
  authHeaders: Record<string, string>;
}

export interface QueryReport {
  name: string;
  selective: boolean;
  phase: PhaseReport;
  /** Mean matches (`search.mode = match`) per answer; for a paged query, per page. */
  matches: number;
  /** Mean included resources (`search.mode = include`) per answer. */
  includes: number;
  /** `Bundle.total` of the first variant's answer, when the server gave one. */
  total?: number;
  /** Paged queries: pages walked per operation, and the latency of each page. */
  pages?: { perWalk: number; latencyMs: LatencySummary | null; firstPageP50: number | null; lastPageP50: number | null };
}

export interface SearchWorkerResult {
  queries: QueryReport[];
  clientPeakRssMb: number | null;
}

const HEADERS = { accept: 'application/fhir+json', prefer: 'handling=strict' };

serveLoad<SearchWorkerInput, SearchWorkerResult>(async (input) => {
  const { origin, serverPid, concurrency, queryMs, warmupOps } = input;
  const client = createHttpClient(input.client, origin, concurrency, input.authHeaders);
  const log = (msg: string) => process.stderr.write(`[search] ${msg}\n`);
  const reports: QueryReport[] = [];

  for (const query of input.queries) {
    let answers = 0;
    let matches = 0;
    let includes = 0;
    let total: number | undefined;
    let walks = 0;
    let pagesWalked = 0;
    const pageLatencies: number[] = [];
    const firstPage: number[] = [];
    const lastPage: number[] = [];
    let measuring = false;

    const get = async (path: string): Promise<Bundle | string> => {
      const res = await client.request('GET', path, undefined, HEADERS);
      if (res.status !== 200) return `HTTP ${res.status}`;
      const bundle = JSON.parse(res.body) as Bundle;
      if (bundle.resourceType !== 'Bundle') return 'not a Bundle';
      return bundle;
    };
    const tally = (bundle: Bundle, variant: number) => {
      if (!measuring) return;
      answers++;
      for (const e of bundle.entry ?? []) {
        if (e.search?.mode === 'match') matches++;
        else if (e.search?.mode === 'include') includes++;
      }
      if (variant === 0 && total === undefined && bundle.total !== undefined) total = bundle.total;
    };

    const op = async (_slot: number, seq: number): Promise<OpOutcome> => {
      const variant = seq % query.paths.length;
      let path: string | undefined = query.paths[variant];
      const maxPages = query.pages ?? 1;
      let page = 0;
      while (path !== undefined && page < maxPages) {
        const t0 = performance.now();
        const bundle = await get(path);
        if (typeof bundle === 'string') return bundle;
        const ms = performance.now() - t0;
        page++;
        tally(bundle, variant);
        if (measuring && query.pages) {
          pageLatencies.push(ms);
          if (page === 1) firstPage.push(ms);
          if (page === maxPages) lastPage.push(ms);
        }
        const next = bundle.link?.find((l) => l.relation === 'next')?.url;
        path = next === undefined ? undefined : nextPath(next);
      }
      if (measuring) {
        walks++;
        pagesWalked += page;
      }
      return null;
    };

    const warm = await runPhase({ name: `${query.name} warm-up`, concurrency, maxOps: Math.max(warmupOps, query.paths.length), op });
    if (warm.errors > 0) log(`${query.name}: warm-up errors ${JSON.stringify(warm.errorKinds)}`);
    measuring = true;
    const phase = await runPhase({ name: query.name, concurrency, durationMs: queryMs, op, serverPid });
    const report: QueryReport = {
      name: query.name,
      selective: query.selective,
      phase,
      matches: round1(matches / Math.max(1, answers)),
      includes: round1(includes / Math.max(1, answers)),
      ...(total !== undefined ? { total } : {}),
    };
    if (query.pages) {
      const p50 = (xs: number[]) => summarize(xs)?.p50 ?? null;
      report.pages = {
        perWalk: round1(pagesWalked / Math.max(1, walks)),
        latencyMs: summarize(pageLatencies),
        firstPageP50: p50(firstPage),
        lastPageP50: p50(lastPage),
      };
    }
    reports.push(report);
    const l = phase.latencyMs;
    log(
      `${query.name}: ${phase.opsPerSec}/s, p50 ${l?.p50} ms, p95 ${l?.p95} ms, ${report.matches} matches${phase.errors ? `, ${phase.errors} errors ${JSON.stringify(phase.errorKinds)}` : ''}`,
    );
  }
  client.close();
  return { queries: reports, clientPeakRssMb: peakRssMb(process.pid) };
});

/** `http://host:port/fhir/Observation?...` -> `/fhir/Observation?...` */
function nextPath(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
