/**
 * Freshness under load: the time from a POST's 202 to the batch showing in a trace, while a
 * background client posts generated chains in 1000-event requests. Runs against any platform
 * URL (fresh data, admin key TEST_ADMIN_KEY, a rate limit that lets the load through), so the
 * projection scenario and a profiled platform are measured the same way.
 */
import { randomUUID } from 'node:crypto';
import { pollUntil } from '../../support/poll.js';
import type { Figure, ScenarioContext } from '../scenarios/types.js';
import { latencyStats } from './stats.js';
import { createSupplyChain, SCALE_BATCHES } from './supply-chain.js';
import { postEventsOverHttp, registerPartiesOverHttp } from './write-chain.js';

export const FRESHNESS_PROBES = 60;
export const FRESHNESS_TARGET_MS = 1000;

/**
 * Freshness under load against a running platform (fresh data, admin key TEST_ADMIN_KEY, a rate
 * limit that lets the load through); exported so a profiled platform can be measured the same way.
 */
export async function measureFreshness(
  url: string,
  context: Pick<ScenarioContext, 'seed' | 'progress'>,
  /** Called once the load runs, just before the first probe (e.g. to start a profile). */
  onProbesStart?: () => void,
): Promise<Figure[]> {
  let stopLoad = false;
  try {
    const base = { batches: SCALE_BATCHES.small, seed: context.seed };
    const first = createSupplyChain({ ...base, tag: 'L0-' });
    context.progress(`freshness: registering ${first.parties.length} parties over HTTP…`);
    const keys = await registerPartiesOverHttp(url, first.parties);
    const regulatorKey = keys.get(first.regulatorId) ?? '';
    const prober = first.parties.find((party) => party.tier === 'farm')?.partyId ?? '';
    const proberKey = keys.get(prober) ?? '';

    // The background load: chain after chain (same parties, new ids), 1000-event requests.
    let loadEvents = 0;
    let loadRequests = 0;
    const counter = {
      add: (events: number) => {
        loadEvents += events;
        loadRequests += 1;
      },
      done: () => undefined,
    };
    const loadLatencies: number[] = [];
    const loadStarted = performance.now();
    let loadError: unknown;
    const load = (async () => {
      for (let round = 0; !stopLoad; round += 1) {
        const chain =
          round === 0
            ? first
            : createSupplyChain({ ...base, seed: base.seed + round, tag: `L${round}-` });
        const posted = await postEventsOverHttp(url, keys, chain.events(), {
          shouldStop: () => stopLoad,
          fullRequestsOnly: true,
          progress: counter,
        });
        loadLatencies.push(...posted.latencies);
      }
    })().catch((error: unknown) => {
      loadError = error;
    });
    const checkLoad = () => {
      if (loadError) throw new Error('the background load failed', { cause: loadError });
    };
    // Let the load reach a steady state before probing.
    await pollUntil(() => (checkLoad(), loadRequests >= 3 ? true : undefined), {
      timeoutMs: 120_000,
      what: 'the background load to get going',
    });

    onProbesStart?.();
    const samples: number[] = [];
    for (let probe = 0; probe < FRESHNESS_PROBES; probe += 1) {
      checkLoad();
      const batchId = `PROBE-${Date.now()}-${probe}`;
      const response = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${proberKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          eventId: randomUUID(),
          eventType: 'BatchProduced',
          eventTime: new Date().toISOString(),
          batchId,
          product: { id: '06931000000110', name: '生鲜乳 (raw cow milk)' },
          quantity: 20_000,
          unit: 'kg',
        }),
      });
      if (response.status !== 202) {
        throw new Error(
          `freshness probe ${batchId}: POST answered ${response.status} ${await response.text()}`,
        );
      }
      const accepted = performance.now();
      await pollUntil(
        async () => {
          const trace = await fetch(`${url}/v1/batches/${batchId}/trace?direction=upstream`, {
            headers: { authorization: `Bearer ${regulatorKey}` },
          });
          await trace.arrayBuffer();
          return trace.status === 200 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 5, what: `probe ${batchId} to show in a trace` },
      );
      samples.push(performance.now() - accepted);
      if ((probe + 1) % 10 === 0)
        context.progress(`freshness: ${probe + 1}/${FRESHNESS_PROBES} probes`);
    }
    stopLoad = true;
    await load;
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const stats = latencyStats(samples);
    const post = latencyStats(loadLatencies);
    return [
      {
        name: 'freshness under load, 202 → visible in a trace (embedded platform process)',
        value: stats.p99,
        unit: 'ms (p99)',
        target: `p99 < ${FRESHNESS_TARGET_MS} ms`,
        met: stats.p99 < FRESHNESS_TARGET_MS,
        detail: {
          p50: stats.p50,
          max: stats.max,
          n: stats.n,
          loadEventsPerSecond: Math.round(loadEvents / loadSeconds),
          loadPostP50Ms: post.p50,
          loadPostP99Ms: post.p99,
          load: '1 client posting 1000-event requests (one party each) back to back',
        },
      },
    ];
  } finally {
    stopLoad = true;
  }
}
