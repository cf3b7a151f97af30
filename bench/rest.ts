/**
 * The REST benchmark: a fresh server on an empty embedded store, driven over keep-alive HTTP from a second process
 * at concurrency 32 — warm-up, then ~10 s each of Patient creates, reads of random created ids, and updates.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runLoadProcess } from './load-process.ts';
import type { PhaseReport } from './load.ts';
import type { RestWorkerInput, RestWorkerResult } from './rest-worker.ts';
import { startServer } from './start-server.ts';

export interface RestBenchOptions {
  concurrency?: number;
  phaseMs?: number;
  warmupOps?: number;
  /** HTTP client of the load process (see http-client.ts); default raw. */
  client?: 'raw' | 'node-http';
  /** Write the server's V8 CPU profile (node --cpu-prof) into this directory, with rest-phases.json: each phase's
   * window on the profile's clock, for `tsx bench/cpuprofile-summary.ts <profile> --phases <dir>/rest-phases.json`. */
  cpuProfileDir?: string;
  log?: (msg: string) => void;
}

type PhaseFigures = Omit<PhaseReport, 'errorKinds' | 'monotonicUs'> & { errorKinds?: Record<string, number> };

export interface RestBenchReport {
  concurrency: number;
  httpClient: 'raw' | 'node-http';
  patientBytes: number;
  patientsStored: number;
  create: PhaseFigures;
  read: PhaseFigures;
  update: PhaseFigures;
  warmup: { creates: number; reads: number; updates: number; errors: number };
  server: { startupMs: number; peakRssMb: number | null };
  client: { peakRssMb: number | null };
  targets: { createsPerSec: number; readsPerSec: number; p99Ms: number; met: boolean };
}

export async function restBenchmark(options: RestBenchOptions = {}): Promise<RestBenchReport> {
  const log = options.log ?? (() => {});
  const concurrency = options.concurrency ?? 32;
  const client = options.client ?? 'raw';
  log('rest: starting server on a fresh embedded store');
  const profileDir = options.cpuProfileDir;
  const server = await startServer({ cpuProfileDir: profileDir });
  let phases: Record<string, [number, number]> | undefined;
  log(`rest: server pid ${server.pid} ready at ${server.origin} in ${server.startupMs} ms`);
  try {
    const result = await runLoadProcess<RestWorkerInput, RestWorkerResult>('bench/rest-worker.ts', {
      origin: server.origin,
      serverPid: server.pid,
      authHeaders: server.authHeaders,
      concurrency,
      phaseMs: options.phaseMs ?? 10_000,
      warmupOps: options.warmupOps ?? 500,
      seed: 20240601,
      client,
    });
    const peakRssMb = server.peakRssMb();
    const { create, read, update, warmup } = result;
    phases = {
      warmup: [warmup.creates.monotonicUs[0], warmup.updates.monotonicUs[1]],
      create: create.monotonicUs,
      read: read.monotonicUs,
      update: update.monotonicUs,
    };
    const p99 = Math.max(create.latencyMs?.p99 ?? Infinity, read.latencyMs?.p99 ?? Infinity, update.latencyMs?.p99 ?? Infinity);
    return {
      concurrency,
      httpClient: client,
      patientBytes: result.patientBytes,
      patientsStored: result.patients,
      create: figures(create),
      read: figures(read),
      update: figures(update),
      warmup: {
        creates: warmup.creates.count,
        reads: warmup.reads.count,
        updates: warmup.updates.count,
        errors: warmup.creates.errors + warmup.reads.errors + warmup.updates.errors,
      },
      server: { startupMs: server.startupMs, peakRssMb },
      client: { peakRssMb: result.clientPeakRssMb },
      targets: { createsPerSec: 2000, readsPerSec: 8000, p99Ms: 50, met: create.opsPerSec >= 2000 && read.opsPerSec >= 8000 && p99 < 50 },
    };
  } finally {
    await server.stop();
    if (profileDir && phases) {
      writeFileSync(path.join(profileDir, 'rest-phases.json'), `${JSON.stringify(phases, null, 2)}\n`);
      log(`rest: server CPU profile and rest-phases.json in ${profileDir}`);
    }
  }
}

/** Drops the empty error breakdown to keep the report short. */
function figures({ errorKinds, monotonicUs: _window, ...rest }: PhaseReport): PhaseFigures {
  return Object.keys(errorKinds).length ? { ...rest, errorKinds } : rest;
}
