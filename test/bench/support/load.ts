/**
 * Closed-loop load: `concurrency` clients each send their next request as soon as the previous one
 * is answered, until `requests` have been sent. Throughput is events over wall time; latency is
 * per request. Used for HTTP POSTs and for the raw Kafka producer alike, so both are measured the
 * same way.
 */
import { summary, type LatencySummary } from './stats.js';

export interface LoadResult {
  readonly concurrency: number;
  readonly requests: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly latencyMs: LatencySummary;
}

/** `send(i)` performs request i and resolves with the number of events it carried. */
export async function runLoad(
  concurrency: number,
  requests: number,
  send: (index: number) => Promise<number>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let events = 0;
  const client = async () => {
    while (next < requests) {
      const index = next;
      next += 1;
      const started = performance.now();
      // Not `events += await send()`: that reads `events` before awaiting and loses the other
      // clients' additions made meanwhile.
      const sent = await send(index);
      events += sent;
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, client));
  const seconds = (performance.now() - started) / 1000;
  return {
    concurrency,
    requests,
    events,
    seconds,
    eventsPerSecond: Math.round(events / seconds),
    latencyMs: summary(latencies),
  };
}

/** The run with the highest throughput (the first one on a tie). */
export function peakOf<T extends LoadResult>(results: readonly T[]): T {
  const [first, ...rest] = results;
  if (!first) throw new Error('peakOf: results must not be empty');
  return rest.reduce((best, r) => (r.eventsPerSecond > best.eventsPerSecond ? r : best), first);
}
