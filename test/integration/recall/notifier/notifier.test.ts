import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../services/common/logger.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import type { QueryParams, Store } from '../../../../services/common/store/store.js';
import {
  startNotifier,
  type Notifier,
  type NotifierDeps,
} from '../../../../services/recall/notifier/notifier.js';
import { verifyWebhook } from '../../../../services/recall/notifier/webhook-signature.js';
import { pollUntil } from '../../../support/poll.js';

const logger = createLogger({ level: 'silent', pretty: false });
const WAIT = { timeoutMs: 15_000, intervalMs: 10 };
let dir: string;
let store: Store;
const cleanups: Array<() => Promise<void>> = [];
let notifiers: Notifier[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-notifier-'));
  store = createChdbStore({ path: join(dir, 'clickhouse') });
  await migrate(store, logger);
});
afterEach(async () => {
  // Every case ends with its notices delivered, given up or never due, so the next case's
  // notifier finds only its own work.
  for (const notifier of notifiers) await notifier.stop();
  notifiers = [];
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The store as the notifier sees it, counting its queries and polling rounds (one due query each). */
const rounds = { count: 0, queries: 0 };
const countingStore = (): Store => ({
  ...store,
  query<Row>(sql: string, params?: QueryParams) {
    rounds.queries += 1;
    if (sql.includes('FROM recall_notices FINAL')) rounds.count += 1;
    return store.query<Row>(sql, params);
  },
});

const start = async (overrides: Partial<NotifierDeps> = {}) => {
  const notifier = await startNotifier({
    store: countingStore(),
    logger,
    retrySchedule: [50, 100],
    timeoutMs: 2_000,
    allowPrivate: true,
    pollIntervalMs: 20,
    ...overrides,
  });
  notifiers.push(notifier);
  return notifier;
};

/** Waits until the notifier has run `n` more polling rounds. */
const moreRounds = (n: number, target = rounds.count + n) =>
  pollUntil(() => rounds.count >= target, { ...WAIT, what: `${n} more polling rounds` });

/** A webhook receiver on 127.0.0.1 answering the n-th request (from 1) with `answer(n)`. */
async function startReceiver(answer: (call: number) => number | 'hang') {
  const received: Array<{ headers: IncomingHttpHeaders; body: string; port: number }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        port: req.socket.remotePort ?? 0,
      });
      const status = answer(received.length);
      if (status !== 'hang') res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/recall`,
    server,
    received,
    /** The TCP connections the deliveries came over. */
    connections: () => new Set(received.map((call) => call.port)).size,
    webhookIds: () => received.map(({ headers }) => headers['webhook-id']),
    allVerify: (secret: string) =>
      received.every(({ headers, body }) => verifyWebhook(headers, body, secret)),
  };
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const at = '2026-11-20T08:00:00.000Z';
const BATCHES = [{ batchId: 'B-1', quantity: 40, unit: 'kg' }];

type Webhook = { url: string; secret: string | null } | null;

async function addParties(partyIds: readonly string[], webhook: Webhook) {
  await store.insert(
    'parties',
    partyIds.map((partyId) => ({
      party_id: partyId,
      name: `Party ${partyId}`,
      roles: ['submitter'],
      webhook_url: webhook?.url ?? null,
      webhook_secret: webhook?.secret ?? null,
      created_at: at,
      updated_at: at,
    })),
  );
}

/** One party and one recall notice to it. */
async function noticeTo(partyId: string, webhook: Webhook) {
  await addParties([partyId], webhook);
  const { recallId, noticeIds } = await addRecall([partyId]);
  return { recallId, noticeId: noticeIds[0] as string };
}

/** A recall with one notice per recipient; returns the notice ids in recipient order. */
async function addRecall(recipients: readonly string[]) {
  const recallId = `R-${randomUUID()}`;
  await store.insert('recalls', [
    {
      recall_id: recallId,
      event_id: randomUUID(),
      initiated_by: 'regulator-1',
      level: 1,
      mode: 'ORDERED',
      reason: 'Listeria monocytogenes found in batch B-1',
      root_batch_ids: ['B-1'],
      started_at: at,
      recorded_at: at,
    },
  ]);
  const notices = recipients.map((recipient) => ({
    notice_id: randomUUID(),
    recall_id: recallId,
    recipient,
    event_id: randomUUID(),
    batches: JSON.stringify(BATCHES),
    actions: ['STOP_SALE', 'QUARANTINE'],
    deadline: '2026-11-21T08:00:00.000Z',
    issued_at: at,
  }));
  await store.insert('recall_notices', notices);
  return { recallId, noticeIds: notices.map((notice) => notice.notice_id) };
}

interface AttemptRow {
  attempt: number;
  url: string;
  status: string;
  http_status: number | null;
  error: string | null;
  attempted_at: string;
  next_attempt_at: string | null;
}

const attempts = (noticeId: string) =>
  store.query<AttemptRow>(
    `SELECT attempt, url, status, http_status, error, attempted_at, next_attempt_at
     FROM notice_deliveries FINAL WHERE notice_id = {noticeId:String} ORDER BY attempt`,
    { noticeId },
  );

const endpoint = async (partyId: string) => {
  const sql = `SELECT * FROM webhook_endpoints FINAL WHERE party_id = {partyId:String}`;
  return (await store.query(sql, { partyId }))[0];
};

/**
 * Waits until the party's endpoint state is `expected`: the notifier writes a round's attempts
 * first and the endpoint states they led to after them, so the state may lag the attempts read.
 */
const endpointReaches = (partyId: string, expected: Record<string, unknown>) =>
  pollUntil(
    async () => {
      const row = (await endpoint(partyId)) as Record<string, unknown> | undefined;
      const reached = Object.entries(expected).every(([key, value]) => row?.[key] === value);
      return reached ? row : undefined;
    },
    { ...WAIT, what: `the endpoint of ${partyId} to reach ${JSON.stringify(expected)}` },
  );

/** Waits until the notice's attempts satisfy `done`, and returns them. */
const attemptsUntil = (noticeId: string, done: (rows: AttemptRow[]) => boolean, what: string) =>
  pollUntil(
    async () => {
      const rows = await attempts(noticeId);
      return done(rows) ? rows : undefined;
    },
    { ...WAIT, what },
  );
/** Each attempt as `attempt:status:httpStatus`. */
const summary = (rows: AttemptRow[]) =>
  rows.map((row) => `${row.attempt}:${row.status}:${row.http_status}`);
const lastIs = (status: string) => (rows: AttemptRow[]) => rows.at(-1)?.status === status;
const givenUp = (rows: AttemptRow[]) =>
  rows.at(-1)?.status === 'failed' && rows.at(-1)?.next_attempt_at === null;

describe('notifier', () => {
  it('delivers a signed notice with the documented body and records attempt 1', async () => {
    const receiver = await startReceiver(() => 204);
    const secret = newSecret();
    const { noticeId, recallId } = await noticeTo('retailer-a', { url: receiver.url, secret });
    await start();

    const rows = await attemptsUntil(noticeId, lastIs('delivered'), 'the notice delivered');
    expect(summary(rows)).toEqual(['1:delivered:204']);
    expect(rows[0]).toMatchObject({ url: receiver.url, error: null, next_attempt_at: null });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.headers['content-type']).toBe('application/json');
    expect(receiver.webhookIds()).toEqual([noticeId]);
    expect(receiver.allVerify(secret)).toBe(true);
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toEqual({
      noticeId,
      recallId,
      recipient: 'retailer-a',
      batches: BATCHES,
      actions: ['STOP_SALE', 'QUARANTINE'],
      deadline: '2026-11-21T08:00:00.000Z',
      issuedAt: at,
      recall: { level: 1, mode: 'ORDERED', reason: 'Listeria monocytogenes found in batch B-1' },
    });
    await endpointReaches('retailer-a', { consecutive_failures: 0, failing: false });
  });

  it('retries on the schedule with the same webhook-id and records all three attempts', async () => {
    const receiver = await startReceiver((call) => (call <= 2 ? 500 : 200));
    const secret = 'a secret the party chose itself';
    const { noticeId } = await noticeTo('retailer-b', { url: receiver.url, secret });
    await start();

    const rows = await attemptsUntil(noticeId, lastIs('delivered'), 'delivery on the third try');
    expect(summary(rows)).toEqual(['1:failed:500', '2:failed:500', '3:delivered:200']);
    const [first, second] = rows as [AttemptRow, AttemptRow];
    expect(first.error).toBe('HTTP 500');
    const waited = Date.parse(first.next_attempt_at ?? '') - Date.parse(first.attempted_at);
    expect(waited).toBeGreaterThanOrEqual(50);
    expect(Date.parse(second.attempted_at)).toBeGreaterThanOrEqual(
      Date.parse(first.next_attempt_at ?? ''),
    );
    expect(receiver.webhookIds()).toEqual([noticeId, noticeId, noticeId]);
    expect(receiver.allVerify(secret)).toBe(true);
  });

  it('gives up after retries + 1 attempts, marks the endpoint failing, and tries no more', async () => {
    const receiver = await startReceiver(() => 503);
    const { noticeId } = await noticeTo('retailer-c', { url: receiver.url, secret: newSecret() });
    const notifier = await start();

    const rows = await attemptsUntil(noticeId, givenUp, 'the notice given up');
    expect(summary(rows)).toEqual(['1:failed:503', '2:failed:503', '3:failed:503']);
    await endpointReaches('retailer-c', {
      consecutive_failures: 3,
      failing: true,
      last_error: 'HTTP 503',
    });
    await moreRounds(5);
    await notifier.stop();
    expect(await attempts(noticeId)).toHaveLength(3);
    expect(receiver.received).toHaveLength(3);
  });

  it('refuses a loopback target without allowPrivate, sends nothing, and records why', async () => {
    const receiver = await startReceiver(() => 200);
    const { noticeId } = await noticeTo('retailer-d', { url: receiver.url, secret: newSecret() });
    const notifier = await start({ allowPrivate: false });

    const rows = await attemptsUntil(noticeId, (found) => found.length > 0, 'the refusal');
    expect(summary(rows)).toEqual(['1:failed:null']);
    expect(rows[0]?.error).toMatch(/loopback address 127\.0\.0\.1/);
    expect(rows[0]?.next_attempt_at).toBeNull();
    await moreRounds(3);
    await notifier.stop();
    expect(await attempts(noticeId)).toHaveLength(1);
    expect(receiver.received).toHaveLength(0);
    expect(await endpoint('retailer-d')).toMatchObject({ failing: true });
  });

  it('never attempts a notice to a party without a webhook', async () => {
    const receiver = await startReceiver(() => 200);
    await addParties(['retailer-e-hooked'], { url: receiver.url, secret: newSecret() });
    await addParties(['retailer-e-offline'], null);
    const { noticeIds } = await addRecall(['retailer-e-hooked', 'retailer-e-offline']);
    const [hooked, offline] = noticeIds as [string, string];
    const notifier = await start();

    await attemptsUntil(hooked, lastIs('delivered'), 'the hooked party served');
    await moreRounds(3);
    await notifier.stop();
    expect(await attempts(offline)).toEqual([]);
    expect(receiver.webhookIds()).toEqual([hooked]);
  });

  it('records a timeout as a failed attempt', async () => {
    const receiver = await startReceiver(() => 'hang');
    const { noticeId } = await noticeTo('retailer-g', { url: receiver.url, secret: newSecret() });
    await start({ retrySchedule: [], timeoutMs: 200 });

    const rows = await attemptsUntil(noticeId, givenUp, 'the timed-out notice given up');
    expect(summary(rows)).toEqual(['1:failed:null']);
    expect(rows[0]?.error).toBe('timed out after 200 ms');
    expect(receiver.received).toHaveLength(1);
  });

  it('resumes after a restart: continues the attempt numbering and delivers', async () => {
    const receiver = await startReceiver((call) => (call === 1 ? 502 : 200));
    const secret = newSecret();
    const { noticeId } = await noticeTo('retailer-f', { url: receiver.url, secret });
    // A retry far enough away that the first notifier is surely stopped before it is due.
    const retrySchedule = [500];
    const first = await start({ retrySchedule });

    await attemptsUntil(noticeId, (rows) => rows.length === 1, 'the first failed attempt');
    await first.stop();
    expect(receiver.received).toHaveLength(1);

    await start({ retrySchedule });
    const rows = await attemptsUntil(noticeId, lastIs('delivered'), 'delivery after restart');
    expect(summary(rows)).toEqual(['1:failed:502', '2:delivered:200']);
    expect(receiver.webhookIds()).toEqual([noticeId, noticeId]);
    expect(receiver.allVerify(secret)).toBe(true);
    await endpointReaches('retailer-f', { consecutive_failures: 0, failing: false });
  });

  it('serves a recall to hundreds of parties with a constant number of queries per round', async () => {
    const receiver = await startReceiver(() => 200);
    const parties = Array.from({ length: 300 }, (_, i) => `holder-${String(i).padStart(3, '0')}`);
    await addParties(parties, { url: receiver.url, secret: newSecret() });
    const { noticeIds } = await addRecall(parties);
    const before = { ...rounds };
    const notifier = await start({ concurrency: 16 });

    const everyoneReached = () => receiver.received.length === parties.length;
    await pollUntil(everyoneReached, { ...WAIT, what: 'every notice of the recall received' });
    await notifier.stop();
    const [row] = await store.query<{ n: number }>(
      `SELECT count() AS n FROM notice_deliveries FINAL
       WHERE notice_id IN {ids:Array(String)} AND status = 'delivered'`,
      { ids: noticeIds },
    );
    expect(row?.n).toBe(parties.length);
    // The due notices of each kind (recall notices, warnings) and their endpoints: at most three
    // queries a round, however many notices.
    expect(rounds.queries - before.queries).toBeLessThanOrEqual(3 * (rounds.count - before.count));
  });

  it('keeps connections to a receiver open across notices, and reconnects once it closes them', async () => {
    const receiver = await startReceiver(() => 200);
    const parties = Array.from({ length: 120 }, (_, i) => `kept-${String(i).padStart(3, '0')}`);
    await addParties([...parties, 'late'], { url: receiver.url, secret: newSecret() });
    await addRecall(parties);
    await start({ concurrency: 4 });
    await pollUntil(() => receiver.received.length === parties.length, {
      ...WAIT,
      what: 'every notice received',
    });
    // One connection per delivery in flight, not one per notice.
    expect(receiver.connections()).toBeLessThanOrEqual(4);

    // Once the receiver has closed the idle connections, the next notice still goes through
    // on its first attempt.
    receiver.server.closeIdleConnections();
    await pollUntil(
      () =>
        new Promise<boolean>((resolve) =>
          receiver.server.getConnections((_, count) => resolve(count === 0)),
        ),
      { ...WAIT, what: 'the receiver closing its idle connections' },
    );
    const { noticeIds } = await addRecall(['late']);
    await pollUntil(() => receiver.received.length === parties.length + 1, {
      ...WAIT,
      what: 'the late notice received',
    });
    await pollUntil(
      async () =>
        (
          await store.query<{ attempt: number; status: string }>(
            'SELECT attempt, status FROM notice_deliveries FINAL WHERE notice_id = {id:String}',
            { id: noticeIds[0] },
          )
        ).length > 0,
      { ...WAIT, what: 'the late notice recorded' },
    );
    expect(
      await store.query(
        'SELECT attempt, status FROM notice_deliveries FINAL WHERE notice_id = {id:String}',
        {
          id: noticeIds[0],
        },
      ),
    ).toEqual([{ attempt: 1, status: 'delivered' }]);
  });
});
