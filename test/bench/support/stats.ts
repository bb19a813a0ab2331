/**
 * The arithmetic every benchmark shares: percentiles of latency samples, rounding for tables, and
 * timing one piece of work, so each scenario reports latencies the same way.
 */

/** The nearest-rank percentile of ascending samples; NaN when there are none. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export interface LatencySummary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export const summary = (samples: readonly number[]): LatencySummary => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
};

/** Two decimals: enough for milliseconds and ratios in a table. */
export const round = (value: number): number => Math.round(value * 100) / 100;

export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}
