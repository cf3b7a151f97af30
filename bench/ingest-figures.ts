/**
 * Throughput figures of the ingest benchmark from each Bundle's completion: resources per second over the whole
 * run, over the first 10% of the resources and over the last 10% (whether ingest stays flat as the store grows).
 * Pure.
 */

export interface Completion {
  /** Milliseconds since the run started, when the answer was complete. */
  atMs: number;
  /** Resources the Bundle stored (0 when it failed). */
  resources: number;
  /** The server's CPU time (all threads) at that moment, ms. */
  serverCpuMs?: number | null;
}

export interface WindowRates {
  /** Resources/s from the start until 10% of the resources were stored. */
  first10PctPerSec: number | null;
  /** Resources/s from the moment 90% were stored until the end. */
  last10PctPerSec: number | null;
  /** last / first: 0.75 or more meets "the last 10% not slower than the first by more than 25%". */
  lastToFirst: number | null;
  /** Server CPU per resource in the same windows, µs: unlike the rates, barely moved by other load on the machine. */
  first10PctServerCpuUs: number | null;
  last10PctServerCpuUs: number | null;
}

export function windowRates(completions: readonly Completion[]): WindowRates {
  const sorted = [...completions].filter((c) => c.resources > 0).sort((a, b) => a.atMs - b.atMs);
  const total = sorted.reduce((sum, c) => sum + c.resources, 0);
  const none = {
    first10PctPerSec: null,
    last10PctPerSec: null,
    lastToFirst: null,
    first10PctServerCpuUs: null,
    last10PctServerCpuUs: null,
  };
  if (sorted.length < 2 || total === 0) return none;
  const out: WindowRates = { ...none };
  const cpuUs = (from: number | null | undefined, to: number | null | undefined, resources: number) =>
    from != null && to != null && resources > 0 ? Math.round(((to - from) * 1000) / resources) : null;
  let done = 0;
  const end = sorted[sorted.length - 1];
  for (const c of sorted) {
    done += c.resources;
    if (out.first10PctPerSec === null && done >= total * 0.1 && c.atMs > 0) {
      out.first10PctPerSec = Math.round(done / (c.atMs / 1000));
      out.first10PctServerCpuUs = cpuUs(sorted[0].serverCpuMs, c.serverCpuMs, done - sorted[0].resources);
    }
    if (out.last10PctPerSec === null && done >= total * 0.9 && c.atMs < end.atMs) {
      out.last10PctPerSec = Math.round((total - done) / ((end.atMs - c.atMs) / 1000));
      out.last10PctServerCpuUs = cpuUs(c.serverCpuMs, end.serverCpuMs, total - done);
    }
  }
  if (out.first10PctPerSec && out.last10PctPerSec) out.lastToFirst = Math.round((out.last10PctPerSec / out.first10PctPerSec) * 100) / 100;
  return out;
}
