/**
 * Reads consumer lag from a service's GET /metrics, so tests can wait until the platform has
 * worked through everything in the log instead of guessing with a sleep.
 */
import { pollUntil } from './poll.js';

/** Lag per consumer group, summed over partitions, as one service reports it. */
export async function consumerLag(serviceUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
  const lag = new Map<string, number>();
  for (const match of text.matchAll(/^suyuan_consumer_lag\{([^}]*)\} (\S+)$/gm)) {
    const group = /group="([^"]*)"/.exec(match[1] ?? '')?.[1] ?? '';
    lag.set(group, (lag.get(group) ?? 0) + Number(match[2]));
  }
  return lag;
}

/**
 * Waits until every named group reports no lag on two reads in a row (a consumer that writes
 * back to the log, like the recall service, gives the others new work between reads).
 */
export async function waitForNoLag(
  sources: ReadonlyArray<{ url: string; groups: readonly string[] }>,
  timeoutMs = 60_000,
): Promise<void> {
  let quietReads = 0;
  await pollUntil(
    async () => {
      for (const { url, groups } of sources) {
        const lag = await consumerLag(url);
        if (groups.some((group) => lag.get(group) !== 0)) {
          quietReads = 0;
          return false;
        }
      }
      quietReads += 1;
      return quietReads >= 2;
    },
    { timeoutMs, intervalMs: 200, what: 'the consumers to catch up' },
  );
}
