/**
 * The ingest benchmark: a fresh server on an empty embedded store, fed Synthea-shaped patient transaction Bundles
 * (synthea-bundles.ts, 300-1,000 entries each, references by urn:uuid) from a second process at concurrency 4
 * until ~200,000 resources are stored; reports Bundles/s, resources/s (whole run, first and last 10%), Bundle
 * latency and the server's peak RSS.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { runLoadProcess } from './load-process.ts';
import type { IngestWorkerInput, IngestWorkerResult } from './ingest-worker.ts';
import { startServer } from './start-server.ts';

export interface IngestBenchOptions {
  /** Resources to send; default 200,000. */
  resources?: number;
  /** Bundles in flight; default 4. */
  concurrency?: number;
  /** Bundles sent before measuring; default 8 (~5,000 resources). */
  warmupBundles?: number;
  client?: 'raw' | 'node-http';
  /** Write the server's V8 CPU profile here. */
  cpuProfileDir?: string;
  log?: (msg: string) => void;
}

/** The goals (embedded store): 5,000 resources/s sustained, the last 10% within 25% of the first. */
const TARGET_RESOURCES_PER_SEC = 5000;
const TARGET_LAST_TO_FIRST = 0.75;

export async function ingestBenchmark(options: IngestBenchOptions = {}) {
  const log = options.log ?? (() => {});
  const resources = options.resources ?? 200_000;
  const concurrency = options.concurrency ?? 4;
  log('ingest: starting server on a fresh embedded store');
  const server = await startServer({ cpuProfileDir: options.cpuProfileDir });
  log(
    `ingest: server pid ${server.pid} ready at ${server.origin} in ${server.startupMs} ms; sending ~${resources} resources at concurrency ${concurrency}`,
  );
  try {
    const result = await runLoadProcess<IngestWorkerInput, IngestWorkerResult>('bench/ingest-worker.ts', {
      origin: server.origin,
      serverPid: server.pid,
      authHeaders: server.authHeaders,
      concurrency,
      resources,
      warmupBundles: options.warmupBundles ?? 8,
      seed: 20240701,
      client: options.client ?? 'raw',
    });
    const { firstError, errorKinds, ...figures } = result;
    return {
      concurrency,
      ...figures,
      ...(result.errors ? { errorKinds, firstError } : {}),
      server: { startupMs: server.startupMs, peakRssMb: server.peakRssMb(), storeMb: directoryMb(server.dataDir) },
      targets: {
        resourcesPerSec: TARGET_RESOURCES_PER_SEC,
        lastToFirst: TARGET_LAST_TO_FIRST,
        met: result.errors === 0 && result.resourcesPerSec >= TARGET_RESOURCES_PER_SEC && (result.lastToFirst ?? 0) >= TARGET_LAST_TO_FIRST,
      },
    };
  } finally {
    await server.stop();
  }
}

/** Size of the store's files, MB. */
function directoryMb(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return Math.round(bytes / 2 ** 20);
}
