/**
 * HTTP load from this process (a separate process from the platform) with autocannon: a fixed
 * number of keep-alive connections, each sending its next request as soon as the previous one is
 * answered (closed loop), or at a fixed overall rate. Every figure of the online scenario comes
 * from here, so `/healthz` and a trace are measured the same way in the same run.
 */
import autocannon from 'autocannon';

export interface HttpLoadRequest {
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpLoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  /**
   * Send this many requests and stop, however long they take (the duration is then ignored): for
   * requests so heavy that a round of them outlasts a fixed window, where a window would count 0.
   */
  readonly amount?: number;
  /** How long one request may take before it counts as failed; autocannon's 10 s by default. */
  readonly timeoutSeconds?: number;
  /** The request to send next; called once per request. */
  readonly next: () => HttpLoadRequest;
  /** Requests per second over all connections; closed loop when absent. */
  readonly overallRate?: number;
  /** The statuses a request should get (a denied read's 403 or 429); any 2xx when absent. */
  readonly expectStatuses?: readonly number[];
}

export interface HttpLoadResult {
  readonly connections: number;
  /** Expected answers (2xx, or `expectStatuses`) per second over the run. */
  readonly perSecond: number;
  readonly ok: number;
  /** How long the run took, to the hundredth of a second. */
  readonly seconds: number;
  /** Answers that were not 2xx, and connection errors and timeouts. */
  readonly failed: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** How many answers had each status. */
  readonly statuses: Readonly<Record<string, number>>;
}

export async function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.amount !== undefined && { amount: options.amount }),
    ...(options.timeoutSeconds !== undefined && { timeout: options.timeoutSeconds }),
    ...(options.overallRate !== undefined && { overallRate: options.overallRate }),
    requests: [
      {
        setupRequest: (request) => {
          const next = options.next();
          return {
            ...request,
            method: next.method ?? 'GET',
            path: next.path,
            headers: { ...next.headers, ...(next.body && { 'content-type': 'application/json' }) },
            ...(next.body !== undefined && { body: next.body }),
          };
        },
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {}))
    statuses[status] = stats?.count ?? 0;
  const ok =
    options.expectStatuses === undefined
      ? result['2xx']
      : options.expectStatuses.reduce((sum, status) => sum + (statuses[String(status)] ?? 0), 0);
  const answered = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    connections: options.connections,
    perSecond: Math.round(ok / result.duration),
    ok,
    seconds: result.duration,
    failed: answered - ok + result.errors + result.timeouts,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    statuses,
  };
}

/**
 * Expected answers a second times what each carried, unrounded: a round of 1000-event POSTs
 * lasts 10–20 s, where whole requests a second would round by several percent.
 */
export const eventsPerSecond = (result: HttpLoadResult, perRequest: number) =>
  Math.round((result.ok * perRequest) / result.seconds);

/** Cycles through `items` forever. */
export function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('cycle: needs at least one item');
  let index = 0;
  return () => items[index++ % items.length] as T;
}
