/**
 * The search benchmark: writes a generated clinical dataset (clinical-data.ts) through the server's write path
 * into a fresh embedded store, in two steps (the first `smallFraction`, then the rest), and after each step
 * serves it with a real server process and runs the query mix (search-queries.ts) over HTTP at concurrency 16,
 * then prints each query's plans (search-explain.ts). The same queries on a quarter and on the whole dataset
 * show which queries' time grows with the number of resources.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clinicalRecord, recordSize } from './clinical-data.ts';
import { onInterrupt } from './interrupt.ts';
import { runLoadProcess } from './load-process.ts';
import type { SearchExplainInput, SearchPlans } from './search-explain.ts';
import type { SearchLoadInput, SearchLoadResult } from './search-load.ts';
import { searchQueries, type SearchQuery } from './search-queries.ts';
import type { QueryReport, SearchWorkerInput, SearchWorkerResult } from './search-worker.ts';
import { startServer } from './start-server.ts';

export interface SearchBenchOptions {
  /** Resources to generate (at least; whole patient records). Default 100,000. */
  resources?: number;
  /** Share of the dataset measured first, to compare with the whole; 0 skips that run. Default 0.25. */
  smallFraction?: number;
  /** Measured time per query; default 5 s. */
  queryMs?: number;
  concurrency?: number;
  /** Patient records written at once by the loader; default 32. */
  inFlight?: number;
  client?: 'raw' | 'node-http';
  log?: (msg: string) => void;
}

const SEED = 20240615;
/** The target for selective queries on the embedded store. */
const SELECTIVE_P95_MS = 30;

interface QueryFigures {
  name: string;
  selective: boolean;
  description: string;
  /** The first variant, as sent. */
  example: string;
  matches: number;
  includes: number;
  total?: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  queriesPerSec: number;
  errors: number;
  errorKinds?: Record<string, number>;
  serverCpuUsPerQuery: number | null;
  pages?: QueryReport['pages'];
  plan: string[];
  /** The same query on the small dataset. */
  small?: {
    p50Ms: number | null;
    p95Ms: number | null;
    queriesPerSec: number;
    serverCpuUsPerQuery: number | null;
    matches: number;
    plan: string[];
  };
}

export async function searchBenchmark(options: SearchBenchOptions = {}) {
  const log = options.log ?? (() => {});
  const target = options.resources ?? 100_000;
  const smallFraction = options.smallFraction ?? 0.25;
  const concurrency = options.concurrency ?? 16;
  const queryMs = options.queryMs ?? 5_000;
  const inFlight = options.inFlight ?? 32;
  const client = options.client ?? 'raw';

  // Whole records: the dataset ends with the record that reaches the target, the small part likewise.
  let records = 0;
  let smallRecords = 0;
  for (let size = 0; size < target; records++) {
    size += recordSize(clinicalRecord(SEED, records));
    if (smallRecords === 0 && size >= target * smallFraction && smallFraction > 0) smallRecords = records + 1;
  }
  if (smallFraction <= 0) smallRecords = records;

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fhirline-bench-search-'));
  const unregister = onInterrupt(() => rmSync(dataDir, { recursive: true, force: true }));
  try {
    const load = async (from: number, to: number) => {
      log(`search: writing records ${from}..${to - 1} through the write path (${inFlight} records in flight)`);
      const r = await runLoadProcess<SearchLoadInput, SearchLoadResult>('bench/search-load.ts', {
        dataDir,
        seed: SEED,
        from,
        to,
        inFlight,
      });
      log(`search: ${r.resources} resources in ${r.seconds} s, ${r.resourcesPerSec}/s`);
      return r;
    };
    const measure = async (queries: SearchQuery[], label: string) => {
      const server = await startServer({ dataDir, readyTimeoutMs: 120_000 });
      log(`search: server pid ${server.pid} on the ${label} dataset, ready in ${server.startupMs} ms`);
      let result: SearchWorkerResult;
      let peakRssMb: number | null;
      try {
        result = await runLoadProcess<SearchWorkerInput, SearchWorkerResult>('bench/search-worker.ts', {
          origin: server.origin,
          serverPid: server.pid,
          authHeaders: server.authHeaders,
          concurrency,
          queryMs,
          warmupOps: 2 * concurrency,
          queries,
          client,
        });
        peakRssMb = server.peakRssMb();
      } finally {
        await server.stop();
      }
      log(`search: plans on the ${label} dataset`);
      const plans = await runLoadProcess<SearchExplainInput, SearchPlans>('bench/search-explain.ts', { dataDir, queries });
      return { result, plans, startupMs: server.startupMs, peakRssMb };
    };

    const first = await load(0, smallRecords);
    const queries = searchQueries({ seed: SEED, patientIds: first.patientIds, sampleLastUpdated: first.sampleLastUpdated });
    const small = smallRecords < records ? await measure(queries, 'small') : undefined;
    const rest = smallRecords < records ? await load(smallRecords, records) : undefined;
    const full = await measure(queries, 'full');

    const figures = (q: SearchQuery, r: QueryReport, plan: string[]): QueryFigures => ({
      name: q.name,
      selective: q.selective,
      description: q.description,
      example: q.paths[0],
      matches: r.matches,
      includes: r.includes,
      ...(r.total !== undefined ? { total: r.total } : {}),
      p50Ms: r.phase.latencyMs?.p50 ?? null,
      p95Ms: r.phase.latencyMs?.p95 ?? null,
      p99Ms: r.phase.latencyMs?.p99 ?? null,
      queriesPerSec: r.phase.opsPerSec,
      errors: r.phase.errors,
      ...(r.phase.errors ? { errorKinds: r.phase.errorKinds } : {}),
      serverCpuUsPerQuery: r.phase.serverCpuUsPerOp,
      ...(r.pages ? { pages: r.pages } : {}),
      plan,
    });
    const perQuery = queries.map((q, i) => {
      const f = figures(q, full.result.queries[i], full.plans[q.name] ?? []);
      const s = small?.result.queries[i];
      if (s) {
        const { latencyMs, opsPerSec, serverCpuUsPerOp } = s.phase;
        f.small = {
          p50Ms: latencyMs?.p50 ?? null,
          p95Ms: latencyMs?.p95 ?? null,
          queriesPerSec: opsPerSec,
          serverCpuUsPerQuery: serverCpuUsPerOp,
          matches: s.matches,
          plan: small!.plans[q.name] ?? [],
        };
      }
      return f;
    });

    const writes = [first, ...(rest ? [rest] : [])];
    const written = writes.reduce((n, w) => n + w.resources, 0);
    const seconds = writes.reduce((n, w) => n + w.seconds, 0);
    const byType: Record<string, number> = {};
    for (const w of writes) for (const [t, n] of Object.entries(w.byType)) byType[t] = (byType[t] ?? 0) + n;
    const misses = perQuery
      .filter((q) => q.selective && (q.p95Ms === null || q.p95Ms >= SELECTIVE_P95_MS || q.errors > 0))
      .map((q) => q.name);
    const collscans = perQuery.filter((q) => q.plan.some((p) => p.includes('COLLSCAN'))).map((q) => q.name);
    return {
      dataset: { resources: written, patients: records, byType, smallResources: small ? first.resources : null },
      write: {
        how: 'in process through server/repository/write-path.ts createResource (validate, extract search values, resource + history + outbox in one unit), many units in flight so the store group-commits them; no HTTP',
        inFlightRecords: inFlight,
        resources: written,
        seconds: Math.round(seconds * 10) / 10,
        resourcesPerSec: Math.round(written / seconds),
        steps: writes.map((w) => ({
          resources: w.resources,
          seconds: w.seconds,
          resourcesPerSec: w.resourcesPerSec,
          cpuUsPerResource: w.cpuUsPerResource,
          peakRssMb: w.peakRssMb,
        })),
      },
      concurrency,
      queryS: queryMs / 1000,
      queries: perQuery,
      server: { startupMs: full.startupMs, peakRssMb: full.peakRssMb },
      targets: { selectiveP95Ms: SELECTIVE_P95_MS, met: misses.length === 0, selectiveMisses: misses, collscans },
    };
  } finally {
    unregister();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
