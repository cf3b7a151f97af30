/**
 * Load process of the ingest benchmark (forked by ingest.ts): posts the shared Organizations and Practitioners,
 * then Synthea-shaped patient transaction Bundles (synthea-bundles.ts) to `POST /fhir`, `concurrency` at a time,
 * closed loop, until `resources` resources have been sent. Each Bundle is generated just before it is sent;
 * its latency runs from the request's first byte to the answer's last.
 */
import { createHttpClient } from './http-client.ts';
import { windowRates, type Completion, type WindowRates } from './ingest-figures.ts';
import { serveLoad } from './load-process.ts';
import { round2, summarize, type LatencySummary } from './percentiles.ts';
import { cpuTimeMs, mainThreadCpuTimeMs, peakRssMb, rssAnonMb, rssMb } from './proc-stats.ts';
import { sharedBundle, syntheaBundle } from './synthea-bundles.ts';

export interface IngestWorkerInput {
  origin: string;
  serverPid: number;
  concurrency: number;
  /** Resources to send (whole Bundles: the last one may pass it). */
  resources: number;
  /** Bundles sent first and not measured (one per loop at a time): they compile each type's validators. */
  warmupBundles: number;
  seed: number;
  client: 'raw' | 'node-http';
  /** Headers every request carries: the bench token (`authorization: Bearer …`), from start-server.ts. */
  authHeaders: Record<string, string>;
}

export interface IngestWorkerResult extends WindowRates {
  warmup: { bundles: number; resources: number; errors: number; seconds: number };
  bundles: number;
  resources: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** The first error answer, cut to 1,000 characters. */
  firstError?: string;
  durationS: number;
  bundlesPerSec: number;
  resourcesPerSec: number;
  bundleLatencyMs: LatencySummary | null;
  entriesPerBundle: { min: number; mean: number; max: number };
  meanBundleBytes: number;
  byType: Record<string, number>;
  serverCpuPct: number | null;
  serverCpuUsPerResource: number | null;
  /** The main thread alone (proc-stats.ts mainThreadCpuTimeMs): the serial part of the server. */
  serverMainThreadCpuPct: number | null;
  serverMainThreadCpuUsPerResource: number | null;
  /**
   * The server's resident memory every 10% of the run, MB: `rss` counts the pages of the store's memory-mapped
   * file it touched (reclaimable by the kernel), `anon` the heap and malloc only: growth there is a leak.
   */
  serverRssMbTimeline: { rss: number | null; anon: number | null }[];
  clientCpuPct: number;
  clientPeakRssMb: number | null;
}

const HEADERS = { accept: 'application/fhir+json', prefer: 'return=minimal' };

serveLoad<IngestWorkerInput, IngestWorkerResult>(async (input) => {
  const { origin, serverPid, concurrency, resources: target, seed } = input;
  const client = createHttpClient(input.client, origin, concurrency, input.authHeaders);
  const log = (msg: string) => process.stderr.write(`[ingest] ${msg}\n`);

  const shared = await client.request('POST', '/fhir', JSON.stringify(sharedBundle()), HEADERS);
  if (shared.status !== 200)
    throw new Error(`the shared Organizations and Practitioners were refused: HTTP ${shared.status} ${shared.body.slice(0, 1000)}`);

  // Warm-up: patient Bundles after the measured ones' indexes, so the measured data is the same at any warm-up.
  const warmStart = performance.now();
  let warmResources = 0;
  let warmErrors = 0;
  const warmIndexes = Array.from({ length: input.warmupBundles }, (_, i) => 1_000_000 + i);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = warmIndexes.shift(); i !== undefined; i = warmIndexes.shift()) {
        const bundle = syntheaBundle(seed, i);
        const res = await client.request('POST', '/fhir', bundle.body, HEADERS).catch(() => undefined);
        if (res?.status === 200) warmResources += bundle.entries;
        else warmErrors++;
      }
    }),
  );
  const warmup = {
    bundles: input.warmupBundles,
    resources: warmResources,
    errors: warmErrors,
    seconds: round2((performance.now() - warmStart) / 1000),
  };
  log(`warm-up: ${warmResources} resources in ${warmup.seconds} s, ${warmErrors} errors`);

  const latencies: number[] = [];
  const completions: Completion[] = [];
  const errorKinds: Record<string, number> = {};
  const byType: Record<string, number> = {};
  const sizes: number[] = [];
  const rssTimeline: { rss: number | null; anon: number | null }[] = [];
  let firstError: string | undefined;
  let errors = 0;
  let sent = 0;
  let stored = 0;
  let bytes = 0;
  let next = 0;
  let lastLog = performance.now();

  const serverCpu0 = cpuTimeMs(serverPid);
  const mainCpu0 = mainThreadCpuTimeMs(serverPid);
  const clientCpu0 = process.cpuUsage();
  const t0 = performance.now();
  const loop = async () => {
    while (sent < target) {
      const bundle = syntheaBundle(seed, next++);
      sent += bundle.entries;
      bytes += bundle.body.length;
      sizes.push(bundle.entries);
      const start = performance.now();
      let outcome: string | null;
      try {
        const res = await client.request('POST', '/fhir', bundle.body, HEADERS);
        outcome = res.status === 200 ? null : `HTTP ${res.status}`;
        if (outcome && !firstError) firstError = res.body.slice(0, 1000);
      } catch (err) {
        outcome = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      }
      const end = performance.now();
      if (outcome === null) {
        latencies.push(end - start);
        stored += bundle.entries;
        for (const [type, n] of Object.entries(bundle.byType)) byType[type] = (byType[type] ?? 0) + n;
      } else {
        errors++;
        errorKinds[outcome] = (errorKinds[outcome] ?? 0) + 1;
      }
      completions.push({ atMs: end - t0, resources: outcome === null ? bundle.entries : 0, serverCpuMs: cpuTimeMs(serverPid) });
      while (rssTimeline.length < Math.floor((stored / target) * 10))
        rssTimeline.push({ rss: rssMb(serverPid), anon: rssAnonMb(serverPid) });
      if (end - lastLog > 10_000) {
        lastLog = end;
        log(`${stored} resources in ${((end - t0) / 1000).toFixed(0)} s (${Math.round(stored / ((end - t0) / 1000))}/s), ${errors} errors`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedMs = performance.now() - t0;
  const serverCpu1 = cpuTimeMs(serverPid);
  const mainCpu1 = mainThreadCpuTimeMs(serverPid);
  const clientCpu = process.cpuUsage(clientCpu0);
  client.close();
  const serverCpuMs = serverCpu0 !== null && serverCpu1 !== null ? serverCpu1 - serverCpu0 : null;
  const mainCpuMs = mainCpu0 !== null && mainCpu1 !== null ? mainCpu1 - mainCpu0 : null;
  const ok = latencies.length;
  return {
    warmup,
    bundles: ok + errors,
    resources: stored,
    errors,
    errorKinds,
    ...(firstError ? { firstError } : {}),
    durationS: round2(elapsedMs / 1000),
    bundlesPerSec: round2(ok / (elapsedMs / 1000)),
    resourcesPerSec: Math.round(stored / (elapsedMs / 1000)),
    bundleLatencyMs: summarize(latencies),
    entriesPerBundle: { min: Math.min(...sizes), mean: Math.round(sent / sizes.length), max: Math.max(...sizes) },
    meanBundleBytes: Math.round(bytes / sizes.length),
    byType,
    ...windowRates(completions),
    serverCpuPct: serverCpuMs === null ? null : Math.round((serverCpuMs / elapsedMs) * 100),
    serverCpuUsPerResource: serverCpuMs === null || stored === 0 ? null : Math.round((serverCpuMs * 1000) / stored),
    serverMainThreadCpuPct: mainCpuMs === null ? null : Math.round((mainCpuMs / elapsedMs) * 100),
    serverMainThreadCpuUsPerResource: mainCpuMs === null || stored === 0 ? null : Math.round((mainCpuMs * 1000) / stored),
    serverRssMbTimeline: rssTimeline,
    clientCpuPct: Math.round(((clientCpu.user + clientCpu.system) / 1000 / elapsedMs) * 100),
    clientPeakRssMb: peakRssMb(process.pid),
  };
});
