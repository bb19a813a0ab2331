/**
 * The reads of the online scenario: what each probe requests, and how a figure's detail is told
 * beside /healthz at the same client count.
 */
import type { Figure } from '../scenarios/types.js';
import { cycle, type HttpLoadRequest, type HttpLoadResult } from './http-load.js';

const SMALL_TRACE = { min: 10, max: 25 };

/** One read measured at every client count, beside /healthz at the same count. */
export interface ReadProbe {
  readonly name: string;
  readonly next: () => HttpLoadRequest;
  /**
   * Measured over this many whole rounds (one request per client) instead of the window, for a
   * request slow enough that a round outlasts the window, which would then count 0.
   */
  readonly rounds?: number;
  /**
   * Measured with Node's client instead of autocannon: for answers of megabytes, which autocannon
   * parses in JavaScript too slowly to measure the platform (node-http-load.ts).
   */
  readonly nodeClient?: boolean;
  /** The target at 16 clients, if any. */
  readonly target?: (
    at16: HttpLoadResult,
    healthz16: HttpLoadResult,
  ) => Pick<Figure, 'target' | 'met'>;
}

export const detailOf = (result: HttpLoadResult, healthz?: HttpLoadResult) => ({
  clients: result.connections,
  p50: result.latencyMs.p50,
  p99: result.latencyMs.p99,
  failed: result.failed,
  ...(healthz && { ofHealthz: Math.round((result.perSecond / healthz.perSecond) * 1000) / 1000 }),
});

async function traceSize(url: string, key: string, batchId: string): Promise<number> {
  const response = await fetch(
    `${url}/v1/batches/${encodeURIComponent(batchId)}/trace?direction=both`,
    { headers: { authorization: `Bearer ${key}` } },
  );
  if (response.status !== 200) throw new Error(`trace of ${batchId}: ${response.status}`);
  return ((await response.json()) as { batches: unknown[] }).batches.length;
}

export async function readProbes(
  url: string,
  key: string,
  picks: {
    source: readonly string[];
    middle: readonly string[];
    edge: readonly string[];
    thousandNodes: readonly string[];
  },
  /**
   * Whether the platform keeps trace answers. Without them every ~1 000-node trace is walked and
   * a round of them outlasts the window, so that figure counts whole rounds; with them, the first
   * ask of each lot is walked and the rest are answered from what was kept, so it is measured over
   * the window like the others.
   */
  keepsAnswers = true,
): Promise<ReadProbe[]> {
  const auth = { authorization: `Bearer ${key}` };
  const candidates = [...picks.source, ...picks.middle, ...picks.edge];
  const small: string[] = [];
  for (const id of candidates) {
    const size = await traceSize(url, key, id);
    if (size >= SMALL_TRACE.min && size <= SMALL_TRACE.max) small.push(id);
  }
  if (small.length === 0) throw new Error('online: no pick has a trace of 10–25 nodes');
  const path = (id: string, suffix = '') => `/v1/batches/${encodeURIComponent(id)}${suffix}`;
  const nextBatch = cycle(candidates);
  const nextSmall = cycle(small);
  const nextLarge = cycle(picks.thousandNodes);
  return [
    { name: 'GET /healthz', next: () => ({ path: '/healthz' }) },
    {
      name: 'batch lookup GET /v1/batches/{id}',
      next: () => ({ path: path(nextBatch()), headers: auth }),
    },
    {
      name: `trace of ${SMALL_TRACE.min}–${SMALL_TRACE.max} nodes (direction=both)`,
      next: () => ({ path: path(nextSmall(), '/trace?direction=both'), headers: auth }),
      target: (at16, healthz16) => ({
        target: '≥ 2 000/s and ≥ 0.1 of /healthz at 16 clients, p99 < 25 ms',
        met:
          at16.perSecond >= 2000 &&
          at16.perSecond >= 0.1 * healthz16.perSecond &&
          at16.latencyMs.p99 < 25,
      }),
    },
    {
      name: '~1 000-node trace (downstream of a premix lot)',
      next: () => ({ path: path(nextLarge(), '/trace?direction=downstream'), headers: auth }),
      ...(!keepsAnswers && { rounds: 3 }),
      nodeClient: true,
      target: (at16) => ({ target: 'p99 < 50 ms (1M-batch graph)', met: at16.latencyMs.p99 < 50 }),
    },
    {
      // As browsers, curl --compressed and Node's fetch ask for it. The client here reads the
      // Brotli bytes without decompressing them: that is each client's own work on its own
      // machine (about 3 ms for this answer), which here would take the cores from the platform.
      name: '~1 000-node trace, the client accepting Brotli',
      next: () => ({
        path: path(nextLarge(), '/trace?direction=downstream'),
        headers: { ...auth, 'accept-encoding': 'br' },
      }),
      ...(!keepsAnswers && { rounds: 3 }),
      nodeClient: true,
      target: (at16) => ({ target: 'p99 < 50 ms (1M-batch graph)', met: at16.latencyMs.p99 < 50 }),
    },
  ];
}
