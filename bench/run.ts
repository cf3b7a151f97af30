/**
 * `npm run bench`: runs each benchmark in turn and prints one JSON document to stdout; progress goes to stderr.
 * `npm run bench -- rest` runs only the named benchmarks (`rest`, `search`, `ingest`, `hl7`, `healthz`, `auth`). Environment knobs: BENCH_PHASE_S (length of each
 * measured phase, default 10), BENCH_CONCURRENCY (default 32), BENCH_REST_WARMUP (`rest`: creates and reads before
 * measuring, half as many updates; default 500), BENCH_CLIENT=node-http (drive with node:http
 * instead of the lean raw HTTP/1.1 client), BENCH_CPU_PROF=<dir> (write the server's
 * .cpuprofile there with rest-phases.json; summarise it with
 * `npx tsx bench/cpuprofile-summary.ts <dir>/CPU.*.cpuprofile --phases <dir>/rest-phases.json`); for `search`:
 * BENCH_SEARCH_RESOURCES (default 100000), BENCH_SEARCH_SMALL (share measured first, default 0.25, 0 skips it),
 * BENCH_SEARCH_QUERY_S (per query, default 5), BENCH_SEARCH_CONCURRENCY (default 16), BENCH_SEARCH_IN_FLIGHT
 * (patient records written at once, default 32); for `ingest`: BENCH_INGEST_RESOURCES (default 200000),
 * BENCH_INGEST_CONCURRENCY (Bundles in flight, default 4), BENCH_INGEST_WARMUP (Bundles before measuring, default 8);
 * for `hl7`: BENCH_HL7_MESSAGES (measured ORU^R01 per connection, default 1500), BENCH_HL7_CONNECTIONS (default 4),
 * BENCH_HL7_WARMUP (per connection, default 25); for `healthz`: BENCH_HEALTHZ_PATIENTS (default 2000; the phase
 * under load is BENCH_PHASE_S, default 20 s here); for `auth`: BENCH_AUTH_PATIENTS (default 500, 20 Observations each),
 * BENCH_AUTH_PAIRS (authorized/bypassed pairs, default 2).
 * See bench/README.md.
 */
import os from 'node:os';
import path from 'node:path';
import { authBenchmark } from './auth.ts';
import { healthzBenchmark } from './healthz-under-load.ts';
import { hl7Benchmark } from './hl7.ts';
import { ingestBenchmark } from './ingest.ts';
import { restBenchmark } from './rest.ts';
import { searchBenchmark } from './search.ts';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

const env = process.env;
const phaseMs = env.BENCH_PHASE_S ? Number(env.BENCH_PHASE_S) * 1000 : undefined;
const concurrency = env.BENCH_CONCURRENCY ? Number(env.BENCH_CONCURRENCY) : undefined;
const client = env.BENCH_CLIENT === 'node-http' ? 'node-http' : 'raw';
const cpuProfileDir = env.BENCH_CPU_PROF ? path.resolve(env.BENCH_CPU_PROF) : undefined;
const num = (name: string) => (env[name] ? Number(env[name]) : undefined);

const benchmarks: Record<string, () => Promise<unknown>> = {
  rest: () => restBenchmark({ phaseMs, concurrency, client, cpuProfileDir, warmupOps: num('BENCH_REST_WARMUP'), log }),
  search: () =>
    searchBenchmark({
      resources: num('BENCH_SEARCH_RESOURCES'),
      smallFraction: num('BENCH_SEARCH_SMALL'),
      queryMs: env.BENCH_SEARCH_QUERY_S ? Number(env.BENCH_SEARCH_QUERY_S) * 1000 : undefined,
      concurrency: num('BENCH_SEARCH_CONCURRENCY'),
      inFlight: num('BENCH_SEARCH_IN_FLIGHT'),
      client,
      log,
    }),
  ingest: () =>
    ingestBenchmark({
      resources: num('BENCH_INGEST_RESOURCES'),
      concurrency: num('BENCH_INGEST_CONCURRENCY'),
      warmupBundles: num('BENCH_INGEST_WARMUP'),
      client,
      cpuProfileDir,
      log,
    }),
  healthz: () => healthzBenchmark({ patients: num('BENCH_HEALTHZ_PATIENTS'), phaseMs, log }),
  hl7: () =>
    hl7Benchmark({
      messages: num('BENCH_HL7_MESSAGES'),
      connections: num('BENCH_HL7_CONNECTIONS'),
      warmup: num('BENCH_HL7_WARMUP'),
      cpuProfileDir,
      log,
    }),
  auth: () =>
    authBenchmark({
      patients: num('BENCH_AUTH_PATIENTS'),
      pairs: num('BENCH_AUTH_PAIRS'),
      concurrency,
      phaseMs,
      client,
      cpuProfileDir,
      log,
    }),
};

const selected = process.argv.slice(2);
for (const name of selected) {
  if (!(name in benchmarks)) {
    log(`unknown benchmark '${name}'; known: ${Object.keys(benchmarks).join(', ')}`);
    process.exit(2);
  }
}

const started = performance.now();
const loadAvg = () => os.loadavg().map((n) => Math.round(n * 100) / 100);
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? null,
  memoryMb: Math.round(os.totalmem() / 2 ** 20),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  /** 1/5/15-minute load averages before and after: other work on the machine skews every figure. */
  loadAvgBefore: loadAvg(),
  loadAvgAfter: [] as number[],
};
const report: Record<string, unknown> = { date: new Date().toISOString(), machine };
for (const [name, run] of Object.entries(benchmarks)) {
  if (selected.length && !selected.includes(name)) continue;
  log(`== ${name}`);
  report[name] = await run();
}
machine.loadAvgAfter = loadAvg();
report.durationS = Math.round((performance.now() - started) / 100) / 10;
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
