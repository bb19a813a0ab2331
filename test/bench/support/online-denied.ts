/**
 * Access decisions must not make other clients wait (issue 15, item 4): a burst of denied reads
 * (a party asking for traces beyond its one-up-one-down view: each a 403, audited, until its key
 * has used its allowance of refusals, then a held 429) at 64 clients, while 16 regulator clients
 * look batches up. The figure is the regulators' rate during the burst beside their rate alone, in
 * the same run. The platform runs with its default refusal limit and hold.
 */
import type { Figure } from '../scenarios/types.js';
import { cycle, runHttpLoad, type HttpLoadRequest } from './http-load.js';
import { detailOf } from './online-reads.js';

export async function measureDeniedBurst(options: {
  readonly url: string;
  readonly adminKey: string;
  readonly batchIds: readonly string[];
  /** The regulators' batch lookups, as the read figures request them. */
  readonly lookups: () => HttpLoadRequest;
  readonly seconds: number;
  readonly progress: (line: string) => void;
}): Promise<Figure[]> {
  const { url, seconds } = options;
  const outsiderKey = await registerOutsider(url, options.adminKey);
  const nextBatch = cycle(options.batchIds);
  const denied = () => ({
    path: `/v1/batches/${encodeURIComponent(nextBatch())}/trace?direction=both`,
    headers: { authorization: `Bearer ${outsiderKey}` },
  });
  const alone = await runHttpLoad({ url, connections: 16, seconds, next: options.lookups });
  const [during, burst] = await Promise.all([
    runHttpLoad({ url, connections: 16, seconds, next: options.lookups }),
    runHttpLoad({ url, connections: 64, seconds, next: denied, expectStatuses: [403, 429] }),
  ]);
  const ratio = Math.round((during.perSecond / Math.max(1, alone.perSecond)) * 100) / 100;
  const refusals = `403: ${burst.statuses['403'] ?? 0}, 429: ${burst.statuses['429'] ?? 0}`;
  options.progress(
    `online: batch lookups at 16 clients ${alone.perSecond}/s alone, ${during.perSecond}/s during ${burst.perSecond} denied traces/s at 64 clients (${ratio}; ${refusals})`,
  );
  return [
    {
      name: 'batch lookups, 16 clients, alone',
      value: alone.perSecond,
      unit: 'req/s',
      detail: detailOf(alone),
    },
    {
      name: 'the same during a burst of denied traces (403) at 64 clients',
      value: during.perSecond,
      unit: 'req/s',
      detail: { ...detailOf(during), ofAlone: ratio },
    },
    {
      name: 'denied traces (403, then 429 past the refusal limit), 64 clients, during the lookups',
      value: burst.perSecond,
      unit: 'req/s',
      detail: { ...detailOf(burst), answers: refusals },
    },
  ];
}

/** A party with no part in the generated chain: every trace it asks for there is a 403. */
async function registerOutsider(url: string, adminKey: string): Promise<string> {
  const response = await fetch(`${url}/v1/parties`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      partyId: `bench-outsider-${Date.now()}`,
      name: 'bench outsider',
      roles: ['submitter'],
    }),
  });
  if (response.status !== 201)
    throw new Error(`registering the outsider: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { apiKey: string }).apiKey;
}
