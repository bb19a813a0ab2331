/**
 * Every delivery state of a notice, as the regulator reads it (notices, the recall's progress,
 * the list, the report as JSON and CSV), driven by the real notifier posting to a real receiver.
 * The notifier's clock is a variable the test moves, so each retry happens when the test says.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../services/common/access/party-directory.js';
import { createHttpApp } from '../../../services/common/http/http-app.js';
import { createLogger } from '../../../services/common/logger.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { NoticeDelivery } from '../../../services/common/api/recalls.js';
import type { Store } from '../../../services/common/store/store.js';
import { createStoreTraceReads } from '../../../services/common/trace/store-trace-reads.js';
import { startNotifier, type Notifier } from '../../../services/recall/notifier/notifier.js';
import { noticeIdFor } from '../../../services/recall/plan-notices.js';
import type { RecallReport } from '../../../services/recall/recall-report.js';
import type { NoticeView, RecallView } from '../../../services/recall/recall-views.js';
import { registerRecallRoutes } from '../../../services/recall/routes.js';
import { pollUntil } from '../../support/poll.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';

const RECALL = 'R-DELIVERY';
const MINUTE = 60_000;
const STARTED = Date.parse('2026-11-20T08:00:00.000Z');
/** The notifier's and the routes' clock. */
let clock = STARTED;
const now = () => new Date(clock);
const logger = createLogger({ level: 'silent', pretty: false });

let dir: string;
let store: Store;
let app: FastifyInstance;
let receiver: WebhookReceiver;
let notifier: Notifier | undefined;
let regulatorKey: string;

/** ok answers at once; flaky fails twice then answers; dead never answers 2xx; offline has no webhook. */
const RECIPIENTS = ['ok', 'flaky', 'dead', 'offline'] as const;
type Recipient = (typeof RECIPIENTS)[number];

async function givenRecall() {
  const at = new Date(STARTED).toISOString();
  await store.insert('recalls', [
    {
      recall_id: RECALL,
      event_id: 'ev-recall',
      initiated_by: 'regulator',
      level: 1,
      mode: 'ORDERED',
      reason: 'Listeria found',
      root_batch_ids: ['B-1'],
      started_at: at,
      recorded_at: at,
    },
  ]);
  await store.insert(
    'recall_notices',
    RECIPIENTS.map((recipient) => ({
      notice_id: noticeIdFor(RECALL, recipient),
      recall_id: RECALL,
      recipient,
      event_id: `ev-notice-${recipient}`,
      batches: JSON.stringify([{ batchId: 'B-1', quantity: 10, unit: 'kg' }]),
      actions: ['STOP_SALE'],
      deadline: new Date(STARTED + 24 * 60 * MINUTE).toISOString(),
      issued_at: at,
    })),
  );
}

const read = async <T>(url: string): Promise<T> => {
  const response = await app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${regulatorKey}` },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
};

const deliveries = async (): Promise<Record<Recipient, NoticeDelivery>> => {
  const notices = await read<NoticeView[]>(`/v1/recalls/${RECALL}/notices`);
  return Object.fromEntries(notices.map((n) => [n.recipient, n.delivery])) as Record<
    Recipient,
    NoticeDelivery
  >;
};

/** Waits until every hooked notice has `attempts` attempts recorded (ok stops at its first). */
const afterAttempts = (flaky: number, dead: number) =>
  pollUntil(
    async () => {
      const states = await deliveries();
      return states.ok.attempts === 1 &&
        states.flaky.attempts === flaky &&
        states.dead.attempts === dead
        ? states
        : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 20, what: `attempts flaky=${flaky} dead=${dead}` },
  );

const at = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-delivery-states-'));
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, logger);
  receiver = await startWebhookReceiver();
  const parties = createPartyDirectory(store);
  regulatorKey = (
    await parties.create({ partyId: 'regulator', name: 'SAMR', roles: ['regulator'] })
  ).apiKey;
  for (const partyId of RECIPIENTS) {
    const webhook = partyId === 'offline' ? undefined : { url: `${receiver.url}/${partyId}` };
    await parties.create({ partyId, name: `name of ${partyId}`, roles: ['submitter'], webhook });
  }
  receiver.script('/flaky', [500, 500]);
  receiver.script('/dead', [503, 503, 503]);
  await givenRecall();
  app = await createHttpApp({ logger, bodyLimitBytes: 1 << 20, parties, readiness: [] });
  registerRecallRoutes(app, { store, reads: createStoreTraceReads(store), parties, now });
  await app.ready();
});

afterAll(async () => {
  await notifier?.stop();
  await app?.close();
  await receiver?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('delivery states through the recall views', () => {
  it('shows pending for a party with a webhook and no-webhook for one without, before any attempt', async () => {
    const states = await deliveries();
    expect(states.ok).toEqual({
      status: 'pending',
      attempts: 0,
      lastAttemptAt: null,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: null,
    });
    expect(states.offline).toMatchObject({ status: 'no-webhook', attempts: 0 });
  });

  it('shows delivered at the first try, and retrying with the failure and the next time', async () => {
    notifier = await startNotifier({
      store,
      logger,
      retrySchedule: [MINUTE, MINUTE],
      timeoutMs: 2_000,
      allowPrivate: true,
      pollIntervalMs: 10,
      now,
    });
    const states = await afterAttempts(1, 1);
    expect(states.ok).toEqual({
      status: 'delivered',
      attempts: 1,
      lastAttemptAt: at(STARTED),
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: at(STARTED),
    });
    expect(states.flaky).toEqual({
      status: 'retrying',
      attempts: 1,
      lastAttemptAt: at(STARTED),
      lastError: 'HTTP 500',
      nextAttemptAt: at(STARTED + MINUTE),
      deliveredAt: null,
    });
    expect(states.dead).toMatchObject({ status: 'retrying', lastError: 'HTTP 503' });
  });

  it('keeps retrying with the latest retry time after a second failure', async () => {
    clock = STARTED + MINUTE;
    const states = await afterAttempts(2, 2);
    expect(states.flaky).toMatchObject({
      status: 'retrying',
      lastAttemptAt: at(STARTED + MINUTE),
      nextAttemptAt: at(STARTED + 2 * MINUTE),
    });
  });

  it('shows delivered after failures with no error left, and failed once the attempts run out', async () => {
    clock = STARTED + 2 * MINUTE;
    const states = await afterAttempts(3, 3);
    expect(states.flaky).toEqual({
      status: 'delivered',
      attempts: 3,
      lastAttemptAt: at(STARTED + 2 * MINUTE),
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: at(STARTED + 2 * MINUTE),
    });
    expect(states.dead).toEqual({
      status: 'failed',
      attempts: 3,
      lastAttemptAt: at(STARTED + 2 * MINUTE),
      lastError: 'HTTP 503',
      nextAttemptAt: null,
      deliveredAt: null,
    });
    expect(states.offline).toMatchObject({ status: 'no-webhook', attempts: 0 });
  });

  it('counts the same states in the progress, the list and the report (JSON and CSV)', async () => {
    const expected = { notices: 4, delivered: 2, failed: 1 };
    expect((await read<RecallView>(`/v1/recalls/${RECALL}`)).progress).toMatchObject(expected);
    const [listed] = await read<RecallView[]>('/v1/recalls');
    expect(listed?.progress).toMatchObject(expected);
    const report = await read<RecallReport>(`/v1/recalls/${RECALL}/report`);
    expect(Object.fromEntries(report.notices.map((n) => [n.recipient, n.deliveryStatus]))).toEqual({
      ok: 'delivered',
      flaky: 'delivered',
      dead: 'failed',
      offline: 'no-webhook',
    });
    const csv = (
      await app.inject({
        method: 'GET',
        url: `/v1/recalls/${RECALL}/report?format=csv`,
        headers: { authorization: `Bearer ${regulatorKey}` },
      })
    ).body;
    const [header, ...lines] = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const columns = header!.split(',');
    const statusOf = Object.fromEntries(
      lines.map((line) => {
        const cells = line.split(',');
        return [cells[columns.indexOf('recipient')], cells[columns.indexOf('delivery_status')]];
      }),
    );
    expect(statusOf).toEqual({
      ok: 'delivered',
      flaky: 'delivered',
      dead: 'failed',
      offline: 'no-webhook',
    });
  });
});
