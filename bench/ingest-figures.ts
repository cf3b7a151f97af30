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
}

export interface WindowRates {
  /** Resources/s from the start until 10% of the resources were stored. */
  first10PctPerSec: number | null;
  /** Resources/s from the moment 90% were stored until the end. */
  last10PctPerSec: number | null;
  /** last / first: 0.75 or more meets "the last 10% not slower than the first by more than 25%". */
  lastToFirst: number | null;
}

export function windowRates(completions: readonly Completion[]): WindowRates {
  const sorted = [...completions].filter((c) => c.resources > 0).sort((a, b) => a.atMs - b.atMs);
  const total = sorted.reduce((sum, c) => sum + c.resources, 0);
  if (sorted.length < 2 || total === 0) return { first10PctPerSec: null, last10PctPerSec: null, lastToFirst: null };
  let done = 0;
  let first: number | null = null;
  let last: number | null = null;
  const endMs = sorted[sorted.length - 1].atMs;
  for (const c of sorted) {
    done += c.resources;
    if (first === null && done >= total * 0.1) first = c.atMs > 0 ? Math.round(done / (c.atMs / 1000)) : null;
    if (last === null && done >= total * 0.9 && c.atMs < endMs) last = Math.round((total - done) / ((endMs - c.atMs) / 1000));
  }
  return { first10PctPerSec: first, last10PctPerSec: last, lastToFirst: first && last ? Math.round((last / first) * 100) / 100 : null };
}
