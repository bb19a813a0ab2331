/**
 * A party that may not read a recall cannot tell whether it exists: on every route that names a
 * recall, an existing recall, a retracted one and one that never was all get the same answer.
 * The routes are found as they register, so a route added later is held to the same rule.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../services/common/access/party-directory.js';
import { createHttpApp } from '../../../services/common/http/http-app.js';
import { createLogger } from '../../../services/common/logger.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import { createStoreTraceReads } from '../../../services/common/trace/store-trace-reads.js';
import { noticeIdFor } from '../../../services/recall/plan-notices.js';
import { registerRecallRoutes } from '../../../services/recall/routes.js';

const logger = createLogger({ level: 'silent', pretty: false });
const AT = '2026-11-20T08:00:00.000Z';
let dir: string;
let store: Store;
let app: FastifyInstance;
const keys = new Map<string, string>();
const recallRoutes: RouteOptions[] = [];

async function givenRecall(recallId: string, recipient: string) {
  await store.insert('recalls', [
    {
      recall_id: recallId,
      event_id: `ev-${recallId}`,
      initiated_by: 'regulator',
      level: 1,
      mode: 'ORDERED',
      reason: 'melamine found',
      root_batch_ids: ['B-1'],
      started_at: AT,
      recorded_at: AT,
    },
  ]);
  await store.insert('recall_notices', [
    {
      notice_id: noticeIdFor(recallId, recipient),
      recall_id: recallId,
      recipient,
      event_id: `ev-${recallId}-${recipient}`,
      batches: JSON.stringify([{ batchId: 'B-1', quantity: 1, unit: 'kg' }]),
      actions: ['STOP_SALE'],
      deadline: AT,
      issued_at: AT,
    },
  ]);
}

const get = (party: string, url: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${keys.get(party)}` } });

/** Every way to call each recall route for `recallId`. */
const urlsFor = (recallId: string) =>
  recallRoutes.flatMap((route) => {
    const url = route.url.replace(':recallId', encodeURIComponent(recallId));
    return url.endsWith('/report') ? [url, `${url}?format=csv`] : [url];
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-recall-existence-'));
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, logger);
  const parties = createPartyDirectory(store);
  for (const [partyId, roles] of [
    ['regulator', ['regulator']],
    ['shop', ['submitter']],
    ['outsider', ['submitter']],
  ] as const) {
    keys.set(partyId, (await parties.create({ partyId, name: partyId, roles: [...roles] })).apiKey);
  }
  await givenRecall('R-1', 'shop');
  await givenRecall('R-GONE', 'shop');
  await store.insert('retractions', [
    { target_event_id: 'ev-R-GONE', event_id: 'ev-x', party: 'regulator', reason: 'x', at: AT },
  ]);
  app = await createHttpApp({ logger, bodyLimitBytes: 1 << 20, parties, readiness: [] });
  app.addHook('onRoute', (route) => {
    // HEAD routes answer like their GET; every other method is listed.
    if (route.url.includes(':recallId') && route.method !== 'HEAD') recallRoutes.push(route);
  });
  registerRecallRoutes(app, {
    store,
    reads: createStoreTraceReads(store),
    parties,
    now: () => new Date(AT),
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the existence of a recall', () => {
  it('finds the routes that name a recall', () => {
    expect(recallRoutes.map((route) => `${String(route.method)} ${route.url}`).sort()).toEqual([
      'GET /v1/recalls/:recallId',
      'GET /v1/recalls/:recallId/notices',
      'GET /v1/recalls/:recallId/report',
    ]);
  });

  it('is not told to an uninvolved party: an existing, a retracted and an unknown recall answer alike', async () => {
    const answers = async (recallId: string) =>
      Promise.all(
        urlsFor(recallId).map(async (url) => {
          const response = await get('outsider', url);
          return { status: response.statusCode, body: response.body };
        }),
      );
    const existing = await answers('R-1');
    expect(existing.map((answer) => answer.status)).toEqual(existing.map(() => 403));
    expect(await answers('R-GONE')).toEqual(existing);
    expect(await answers('R-NEVER')).toEqual(existing);
    for (const { body } of existing) expect(body).not.toMatch(/R-1|B-1|shop|melamine/);
  });

  it('is shown to the parties involved, and a regulator is told which recalls do not exist', async () => {
    for (const url of urlsFor('R-1')) {
      expect((await get('shop', url)).statusCode).toBe(200);
      expect((await get('regulator', url)).statusCode).toBe(200);
    }
    for (const url of [...urlsFor('R-NEVER'), ...urlsFor('R-GONE')]) {
      expect((await get('regulator', url)).statusCode).toBe(404);
    }
  });
});
