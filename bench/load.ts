/**
 * The load driver (runs in the load process, never in the server's): a closed-loop phase runner. `concurrency`
 * loops each issue one request, wait for the whole response, record its latency and issue the next, until the
 * phase's duration or operation count is reached.
 */
import { cpuTimeMs } from './proc-stats.ts';
import { round2, summarize, type LatencySummary } from './percentiles.ts';

/** What one operation reports: null for success, otherwise a short error kind such as `HTTP 409`. */
export type OpOutcome = string | null;

export interface PhaseOptions {
  name: string;
  concurrency: number;
  /** Stop issuing new requests after this long (in-flight ones still finish and count). */
  durationMs?: number;
  /** Stop after this many operations in total. */
  maxOps?: number;
  /** One operation; `slot` is the loop number 0..concurrency-1, `seq` the phase-wide operation number. */
  op: (slot: number, seq: number) => Promise<OpOutcome>;
  /** The server's pid, to report its CPU use during the phase. */
  serverPid?: number;
}

export interface PhaseReport {
  /** Operations completed (successes + errors). */
  count: number;
  /** Operations that failed: non-2xx answers, connection errors, unexpected bodies. */
  errors: number;
  /** Error kinds and how often each happened, e.g. {"HTTP 409": 3}. */
  errorKinds: Record<string, number>;
  durationS: number;
  /** Successful operations per second of wall time. */
  opsPerSec: number;
  /** Latency of successful operations, request start to last response byte, in ms. */
  latencyMs: LatencySummary | null;
  /** CPU used by the server process during the phase, % of one core (200 = both cores of a 2-core machine). */
  serverCpuPct: number | null;
  /** Server CPU time per successful operation, in µs. */
  serverCpuUsPerOp: number | null;
  /** CPU used by this load process during the phase, % of one core. */
  clientCpuPct: number;
  /** Start and end of the phase on the system monotonic clock in µs (the clock of V8 .cpuprofile timestamps). */
  monotonicUs: [number, number];
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export async function runPhase(options: PhaseOptions): Promise<PhaseReport> {
  const { concurrency, durationMs, maxOps, op, serverPid } = options;
  if (durationMs === undefined && maxOps === undefined) throw new Error(`phase ${options.name}: give durationMs or maxOps`);
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  let issued = 0;
  let stopped = false;

  const serverCpu0 = serverPid ? cpuTimeMs(serverPid) : null;
  const clientCpu0 = process.cpuUsage();
  const t0 = performance.now();
  const mono0 = monotonicUs();
  const timer = durationMs === undefined ? undefined : setTimeout(() => (stopped = true), durationMs);

  const loop = async (slot: number) => {
    while (!stopped && (maxOps === undefined || issued < maxOps)) {
      const seq = issued++;
      const start = performance.now();
      let outcome: OpOutcome;
      try {
        outcome = await op(slot, seq);
      } catch (err) {
        outcome = (err as NodeJS.ErrnoException).code ?? (err as Error).message ?? String(err);
      }
      if (outcome === null) latencies.push(performance.now() - start);
      else {
        errors++;
        errorKinds[outcome] = (errorKinds[outcome] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, slot) => loop(slot)));
  clearTimeout(timer);

  const elapsedMs = performance.now() - t0;
  const clientCpu = process.cpuUsage(clientCpu0);
  const serverCpu1 = serverPid ? cpuTimeMs(serverPid) : null;
  const serverCpuMs = serverCpu0 !== null && serverCpu1 !== null ? serverCpu1 - serverCpu0 : null;
  const ok = latencies.length;
  return {
    count: ok + errors,
    errors,
    errorKinds,
    durationS: round2(elapsedMs / 1000),
    opsPerSec: Math.round(ok / (elapsedMs / 1000)),
    latencyMs: summarize(latencies),
    serverCpuPct: serverCpuMs === null ? null : Math.round((serverCpuMs / elapsedMs) * 100),
    serverCpuUsPerOp: serverCpuMs === null || ok === 0 ? null : Math.round((serverCpuMs * 1000) / ok),
    clientCpuPct: Math.round(((clientCpu.user + clientCpu.system) / 1000 / elapsedMs) * 100),
    monotonicUs: [mono0, monotonicUs()],
  };
}
