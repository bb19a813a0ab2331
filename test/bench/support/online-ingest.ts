/**
 * The ingest side of the online scenario: requests from the generated workload with each party's
 * key, the keys themselves, and the freshness probe (202 → the new batch visible in a trace).
 */
import { randomUUID } from 'node:crypto';
import { TEST_ADMIN_KEY } from '../../support/platform.js';
import { pollUntil } from '../../support/poll.js';
import { createJsonPoster } from './http-client.js';
import type { HttpLoadRequest } from './http-load.js';
import type { createIngestWorkload } from './ingest-events.js';
import { runLoad } from './load.js';

/**
 * Ingest requests from the generated workload, each with its party's key. The first `prepared`
 * are built before the load starts, so that generating them does not take the machine's cores
 * from the platform during the window; past them, each is built when sent.
 */
export function ingestRequests(
  keys: ReadonlyMap<string, string>,
  workload: ReturnType<typeof createIngestWorkload>,
  perRequest: number,
  prepared = 0,
) {
  const build = (): HttpLoadRequest => {
    const [request] = workload.take(1, perRequest);
    if (!request) throw new Error('online: the ingest workload ran out');
    return {
      method: 'POST',
      path: '/v1/events',
      headers: { authorization: `Bearer ${keys.get(request.party) ?? ''}` },
      body: request.body,
    };
  };
  const ready = Array.from({ length: prepared }, build);
  let taken = 0;
  return (): HttpLoadRequest => ready[taken++] ?? build();
}

/** 202 → the new batch listed in the upstream trace of itself, polled every 2 ms. */
export async function freshnessProbe(url: string, key: string, input: string): Promise<number> {
  const batchId = `FRESH-${randomUUID()}`;
  const body = JSON.stringify({
    eventId: randomUUID(),
    eventType: 'BatchProduced',
    eventTime: new Date().toISOString(),
    batchId,
    product: { id: 'FRESH', name: 'freshness probe' },
    quantity: 1,
    unit: 'kg',
    inputs: [{ batchId: input, quantity: 1, unit: 'kg' }],
  });
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const posted = await fetch(`${url}/v1/events`, { method: 'POST', headers, body });
  if (posted.status !== 202)
    throw new Error(`freshness probe: ${posted.status} ${await posted.text()}`);
  const accepted = performance.now();
  await pollUntil(
    async () => {
      const response = await fetch(
        `${url}/v1/batches/${batchId}/trace?direction=upstream&maxDepth=1`,
        { headers },
      );
      if (response.status !== 200) return undefined;
      const trace = (await response.json()) as { batches: Array<{ batchId: string }> };
      return trace.batches.some((batch) => batch.batchId === input) ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 2, what: `batch ${batchId} in a trace` },
  );
  return performance.now() - accepted;
}

/**
 * An API key for each party of the ingest workload: the graph registered most of them already
 * (the generator names parties alike), so those get a further key; the others are created.
 */
export async function keysFor(
  url: string,
  parties: ReturnType<typeof createIngestWorkload>['parties'],
) {
  const poster = createJsonPoster(url, 8);
  const keys = new Map<string, string>();
  try {
    await runLoad(8, parties.length, async (index) => {
      const { partyId, name, roles } = parties[index] as (typeof parties)[number];
      let answer = await poster.post(
        '/v1/parties',
        TEST_ADMIN_KEY,
        JSON.stringify({ partyId, name, roles }),
      );
      if (answer.status === 409)
        answer = await poster.post(
          `/v1/parties/${encodeURIComponent(partyId)}/keys`,
          TEST_ADMIN_KEY,
          '{}',
        );
      if (answer.status !== 201)
        throw new Error(
          `a key for party ${partyId}: ${answer.status} ${answer.body.slice(0, 300)}`,
        );
      keys.set(partyId, (JSON.parse(answer.body) as { apiKey: string }).apiKey);
      return 1;
    });
  } finally {
    poster.close();
  }
  return keys;
}
