/**
 * Latency summaries for the benchmarks: nearest-rank percentiles over every sample (no histogram buckets).
 */

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of samples already sorted ascending; `p` in 0..100. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50/p95/p99/max/mean in milliseconds, rounded to 0.01 ms; all null when there are no samples. */
export function summarize(samplesMs: ArrayLike<number>): LatencySummary | null {
  if (samplesMs.length === 0) return null;
  const sorted = Float64Array.from(samplesMs).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    p50: round2(percentile(sorted, 50)),
    p95: round2(percentile(sorted, 95)),
    p99: round2(percentile(sorted, 99)),
    max: round2(sorted[sorted.length - 1]),
    mean: round2(sum / sorted.length),
  };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
