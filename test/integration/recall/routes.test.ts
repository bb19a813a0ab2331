import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorAnswer } from '../../../services/common/api/error.js';
import { createPartyDirectory } from '../../../services/common/access/party-directory.js';
import { createHttpApp } from '../../../services/common/http/http-app.js';
import { createLogger } from '../../../services/common/logger.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import { createStoreTraceReads } from '../../../services/common/trace/store-trace-reads.js';
import { recallDeadlines } from '../../../services/recall/deadlines.js';
import { noticeIdFor } from '../../../services/recall/plan-notices.js';
import { computeRecallScope } from '../../../services/recall/recall-scope.js';
import {
  EFFECTIVENESS_CSV_COLUMNS,
  REPORT_CSV_COLUMNS,
  type RecallReport,
} from '../../../services/recall/recall-report.js';
import type { NoticeView, RecallView } from '../../../services/recall/recall-views.js';
import { registerRecallRoutes, type MockRecallView } from '../../../services/recall/routes.js';

const T = (day: number, hour = 8) =>
  `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const NOW = new Date(T(12));

const batch = (batchId: string, producer: string, day: number) => ({
  batch_id: batchId,
  event_id: `ev-p-${batchId}`,
  product_id: 'gtin-1',
  product_name: 'milk powder',
  producer,
  operator: null,
  quantity: 100,
  unit: 'kg',
  produced_at: T(day),
  recorded_at: T(day),
});

/** FARM-1 (farm) -> MILK-1 (dairy), shipped dairy -> shop and received; OTHER-1 (outsider). */
async function givenChain(store: Store): Promise<void> {
  await store.insert('batches', [
    batch('FARM-1', 'farm', 1),
    batch('MILK-1', 'dairy', 2),
    batch('OTHER-1', 'outsider', 2),
  ]);
  const edge = { input_batch_id: 'FARM-1', output_batch_id: 'MILK-1', event_id: 'ev-p-MILK-1' };
  await store.insert('derivations_by_input', [
    { ...edge, party: 'dairy', operator: null, quantity: 100, unit: 'kg', at: T(2) },
  ]);
  const line = { batch_id: 'MILK-1', shipment_id: 'S-1', operator: null, quantity: 40, unit: 'kg' };
  await store.insert('shipments', [
    { ...line, event_id: 'ev-s-1', from_party: 'dairy', to_party: 'shop', shipped_at: T(3) },
  ]);
  await store.insert('receipts', [
    { ...line, event_id: 'ev-r-1', receiver: 'shop', from_party: 'dairy', received_at: T(4) },
  ]);
}

/** A recall as the recall service records it, its notices planned by computeRecallScope. */
async function givenRecall(store: Store, recallId: string, by: string, level: 1 | 3, day: number) {
  const roots = [recallId === 'R-2' ? 'MILK-1' : 'FARM-1'];
  const startedAt = T(day);
  const scope = await computeRecallScope(createStoreTraceReads(store), roots);
  await store.insert('recalls', [
    {
      recall_id: recallId,
      event_id: `ev-${recallId}`,
      initiated_by: by,
      level,
      mode: level === 1 ? 'ordered' : 'voluntary',
      reason: 'melamine found',
      root_batch_ids: roots,
      started_at: startedAt,
      recorded_at: startedAt,
    },
  ]);
  await store.insert(
    'recall_notices',
    scope.notices.map((notice) => ({
      notice_id: noticeIdFor(recallId, notice.recipient),
      recall_id: recallId,
      recipient: notice.recipient,
      event_id: `ev-${recallId}-${notice.recipient}`,
      batches: JSON.stringify(notice.batches),
      actions: notice.actions,
      deadline: recallDeadlines(level, startedAt).startBy,
      issued_at: startedAt,
    })),
  );
  const named = [...roots, ...scope.notices.flatMap((n) => n.batches.map((b) => b.batchId))];
  await store.insert(
    'recall_batches',
    [...new Set(named)].map((batchId) => ({
      batch_id: batchId,
      recall_id: recallId,
      event_id: `ev-${recallId}`,
      at: startedAt,
    })),
  );
}

const delivery = (recipient: string, attempt: number, ok: boolean, next: string | null) => ({
  notice_id: noticeIdFor('R-1', recipient),
  attempt,
  url: `https://${recipient}.example/hook`,
  status: ok ? 'delivered' : 'failed',
  http_status: ok ? 200 : 500,
  error: ok ? null : 'HTTP 500',
  attempted_at: T(10, 8 + attempt),
  next_attempt_at: next,
});

const answer = (recipient: string, kind: string, hour: number, recovered = 0, destroyed = 0) => ({
  notice_id: noticeIdFor('R-1', recipient),
  event_id: `ev-a-${recipient}-${hour}`,
  kind,
  party: recipient,
  recovered,
  destroyed,
  unit: kind === 'PROGRESS' ? 'kg' : null,
  note: null,
  at: T(10, hour),
});

/**
 * R-1 (regulator, level 1, FARM-1, day 10, open): farm delivered on the second attempt and
 * acknowledged; dairy's webhook gave up and it never answered (overdue); shop has no webhook and
 * reported 30 kg recovered, 5 destroyed. R-2 (dairy, level 3, MILK-1, day 5) was closed.
 */
async function givenRecalls(store: Store): Promise<void> {
  await givenRecall(store, 'R-1', 'regulator', 1, 10);
  await givenRecall(store, 'R-2', 'dairy', 3, 5);
  const closure = { recall_id: 'R-2', event_id: 'ev-close', closed_by: 'regulator' };
  await store.insert('recall_closures', [{ ...closure, reason: 'done', closed_at: T(6) }]);
  await store.insert('notice_deliveries', [
    delivery('farm', 1, false, T(10, 10)),
    delivery('farm', 2, true, null),
    delivery('dairy', 1, false, null),
  ]);
  await store.insert('notice_answers', [
    answer('farm', 'ACK', 12),
    answer('shop', 'PROGRESS', 13, 30, 5),
    answer('shop', 'PROGRESS', 14, 999, 0),
  ]);
  // R-3 and shop's second report were corrections: both leave every answer.
  await givenRecall(store, 'R-3', 'regulator', 1, 11);
  const retraction = { party: 'regulator', reason: 'recorded by mistake', at: T(11) };
  await store.insert('retractions', [
    { ...retraction, target_event_id: 'ev-R-3', event_id: 'ev-x-1' },
    { ...retraction, target_event_id: 'ev-a-shop-14', event_id: 'ev-x-2' },
  ]);
}

/** RFC 4180: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const cells = /("(?:[^"]|"")*"|[^,\r\n]*)(,|\r\n|$)/gy;
  let row: string[] = [];
  for (let match = cells.exec(text); match && match[0] !== ''; match = cells.exec(text)) {
    const cell = match[1] ?? '';
    row.push(cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell);
    if (match[2] !== ',') {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

describe('recall routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-recall-routes-'));
  const store = createChdbStore({ path: dir });
  const parties = createPartyDirectory(store);
  const logger = createLogger({ level: 'silent', pretty: false });
  let app: FastifyInstance;
  const keys = new Map<string, string>();

  const get = async (party: string, url: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${keys.get(party)}` } });
  const getJson = async <T>(party: string, url: string) => (await get(party, url)).json<T>();
  const notices = async (party: string, url: string) => await getJson<NoticeView[]>(party, url);
  const recallIds = async (party: string, query = '') =>
    (await getJson<RecallView[]>(party, `/v1/recalls${query}`)).map((recall) => recall.recallId);
  const mock = (party: string, body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/v1/recalls/mock',
      headers: { authorization: `Bearer ${keys.get(party)}` },
      payload: body as object,
    });

  beforeAll(async () => {
    app = await createHttpApp({ logger, bodyLimitBytes: 1 << 20, parties, readiness: [] });
    registerRecallRoutes(app, {
      store,
      parties,
      reads: createStoreTraceReads(store),
      now: () => NOW,
    });
    await migrate(store, logger);
    const webhook = (id: string) => ({ url: `https://${id}.example/hook` });
    for (const [partyId, name, roles, hook] of [
      ['regulator', '市场监管局', ['regulator'], undefined],
      ['farm', '牧场', ['submitter'], webhook('farm')],
      ['dairy', '乳业, "总厂"', ['submitter'], webhook('dairy')],
      ['shop', '超市', ['submitter'], undefined],
      ['outsider', 'Elsewhere Ltd', ['submitter'], undefined],
    ] as const) {
      const created = await parties.create({ partyId, name, roles: [...roles], webhook: hook });
      keys.set(partyId, created.apiKey);
    }
    await givenChain(store);
    await givenRecalls(store);
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists recalls newest first, filtered by status and batch', async () => {
    expect(await recallIds('regulator')).toEqual(['R-1', 'R-2']);
    expect(await recallIds('regulator', '?status=open')).toEqual(['R-1']);
    expect(await recallIds('regulator', '?status=closed')).toEqual(['R-2']);
    expect(await recallIds('regulator', '?batchId=MILK-1')).toEqual(['R-1', 'R-2']);
    expect(await recallIds('regulator', '?batchId=FARM-1')).toEqual(['R-1']);
    expect(await recallIds('regulator', '?batchId=OTHER-1')).toEqual([]);
  });

  it('lists to a party only the recalls it initiated or was notified of', async () => {
    expect(await recallIds('farm')).toEqual(['R-1']);
    expect(await recallIds('dairy')).toEqual(['R-1', 'R-2']);
    expect(await recallIds('shop', '?status=closed')).toEqual(['R-2']);
    expect(await recallIds('outsider')).toEqual([]);
  });

  it('answers 400 naming the field for an unknown status', async () => {
    const response = await get('regulator', '/v1/recalls?status=finished');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request', message: /^status: / });
  });

  it('shows a recall with its progress', async () => {
    const response = await get('farm', '/v1/recalls/R-1');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      recallId: 'R-1',
      level: 1,
      status: 'open',
      deadline: T(11),
      rootBatchIds: ['FARM-1'],
      affectedBatchIds: ['FARM-1', 'MILK-1'],
      progress: {
        notices: 3,
        delivered: 1,
        acknowledged: 2,
        failed: 1,
        overdue: 1,
        recovered: 30,
        destroyed: 5,
        handled: 240,
        byUnit: [{ unit: 'kg', handled: 240, recovered: 30, destroyed: 5 }],
      },
    });
  });

  it('refuses an outsider without telling it anything of the recall, and 404s the unknown', async () => {
    const response = await get('outsider', '/v1/recalls/R-1');
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toMatch(/FARM|MILK|melamine|farm|dairy|shop/);
    expect((await get('outsider', '/v1/recalls/R-1/notices')).statusCode).toBe(403);
    expect((await get('outsider', '/v1/recalls/R-1/report')).statusCode).toBe(403);
    expect((await get('regulator', '/v1/recalls/R-9')).statusCode).toBe(404);
    expect((await get('regulator', '/v1/recalls/R-3')).statusCode).toBe(404);
  });

  it("shows a recipient its own notice and its supplier's, not farther, a regulator all", async () => {
    const shown = await notices('shop', '/v1/recalls/R-1/notices');
    expect(shown.map((n) => n.recipient)).toEqual(['dairy', 'shop']);
    expect(shown.filter((n) => n.recipient === 'shop')).toEqual([
      expect.objectContaining({
        noticeId: noticeIdFor('R-1', 'shop'),
        recipient: 'shop',
        recipientName: '超市',
        batches: [{ batchId: 'MILK-1', quantity: 40, unit: 'kg' }],
        delivery: expect.objectContaining({ status: 'no-webhook', attempts: 0 }),
        acknowledgedAt: T(10, 13),
        recovered: 30,
        overdue: false,
      }),
    ]);
    const all = await notices('regulator', '/v1/recalls/R-1/notices');
    const byRecipient = Object.fromEntries(all.map((n) => [n.recipient, n]));
    expect(Object.keys(byRecipient).sort()).toEqual(['dairy', 'farm', 'shop']);
    expect(byRecipient.farm).toMatchObject({
      delivery: { status: 'delivered', attempts: 2, deliveredAt: T(10, 10) },
    });
    expect(byRecipient.dairy).toMatchObject({
      overdue: true,
      delivery: { status: 'failed', attempts: 1, lastError: 'HTTP 500', nextAttemptAt: null },
    });
  });

  it("lists a party's own notices across recalls", async () => {
    const own = await notices('shop', '/v1/notices');
    expect(own.map((n) => n.recallId).sort()).toEqual(['R-1', 'R-2']);
    expect(await notices('outsider', '/v1/notices')).toEqual([]);
  });

  it('gives the summary report as JSON', async () => {
    const report = await getJson<RecallReport>('regulator', '/v1/recalls/R-1/report');
    expect(report.recall).toMatchObject({ recallId: 'R-1', progress: { notices: 3 } });
    expect(report.notices).toHaveLength(3);
    expect(report.notices).toContainEqual(
      expect.objectContaining({
        recipient: 'farm',
        deliveryStatus: 'delivered',
        deliveredAt: T(10, 10),
        attempts: 2,
        acknowledgedAt: T(10, 12),
        overdue: false,
      }),
    );
    // Effectiveness over time ends where the progress stands: the chart never disagrees with it.
    const { progress } = report.recall;
    expect(report.effectiveness.at(-1)).toEqual({
      at: expect.any(String),
      notified: progress.notices,
      acknowledged: progress.acknowledged,
      recovered: progress.byUnit
        .filter((unit) => unit.recovered > 0)
        .map(({ unit, recovered }) => ({ unit, quantity: recovered })),
    });
    const times = report.effectiveness.map((point) => point.at);
    expect(times).toEqual([...times].sort());
  });

  it('gives the summary report as a CSV that parses back', async () => {
    const response = await get('regulator', '/v1/recalls/R-1/report?format=csv');
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="recall-R-1.csv"');
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, ...rows] = parseCsv(response.body.replace(/^\uFEFF/, ''));
    expect(header).toEqual([...REPORT_CSV_COLUMNS]);
    const records = rows.map((row) => Object.fromEntries(header!.map((col, i) => [col, row[i]])));
    expect(records).toHaveLength(3);
    expect(records.find((r) => r.recipient === 'dairy')).toMatchObject({
      recipient_name: '乳业, "总厂"',
      batch_id: 'MILK-1',
      quantity: '100',
      delivery_status: 'failed',
      overdue: 'true',
    });
    expect(records.find((r) => r.recipient === 'shop')).toMatchObject({
      notice_recovered: '30',
      notice_destroyed: '5',
    });
    expect((await get('regulator', '/v1/recalls/R-1/report?format=xml')).statusCode).toBe(400);
  });

  it('gives the effectiveness series as a CSV of its own, ending where the progress stands', async () => {
    const json = await get('regulator', '/v1/recalls/R-1/report?format=json');
    const { recall, effectiveness } = json.json<RecallReport>();
    const response = await get(
      'regulator',
      '/v1/recalls/R-1/report?format=csv&table=effectiveness',
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="recall-R-1-effectiveness.csv"',
    );
    const [header, ...rows] = parseCsv(response.body.replace(/^\uFEFF/, ''));
    expect(header).toEqual([...EFFECTIVENESS_CSV_COLUMNS]);
    const records = rows.map((row) => Object.fromEntries(header!.map((col, i) => [col, row[i]])));
    const lines = effectiveness.flatMap((point) => Math.max(point.recovered.length, 1));
    expect(records).toHaveLength(lines.reduce((sum, n) => sum + n, 0));
    const last = effectiveness.at(-1)!;
    const lastLines = records.filter((record) => record.at === last.at);
    expect(lastLines.map((record) => [record.unit, Number(record.recovered)])).toEqual(
      last.recovered.length > 0
        ? last.recovered.map((unit) => [unit.unit, unit.quantity])
        : [['', 0]],
    );
    expect(lastLines[0]).toMatchObject({
      recall_id: 'R-1',
      notified: String(recall.progress.notices),
      acknowledged: String(recall.progress.acknowledged),
      recall_deadline: recall.deadline,
      recall_complete_by: recall.completeBy,
    });

    const jsonWithTable = await get('regulator', '/v1/recalls/R-1/report?table=effectiveness');
    expect(jsonWithTable.statusCode).toBe(400);
    expect(jsonWithTable.json<ErrorAnswer>().details).toEqual([
      { path: 'table', message: 'comes only with format=csv' },
    ]);
    const unknown = await get('regulator', '/v1/recalls/R-1/report?format=csv&table=chart');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<ErrorAnswer>().details?.[0]?.path).toBe('table');
  });

  it('runs a mock recall that reaches what computeRecallScope plans and issues nothing', async () => {
    const before = await store.query<{ n: number }>('SELECT count() AS n FROM recall_notices');
    const response = await mock('regulator', { rootBatchIds: ['FARM-1'] });
    expect(response.statusCode).toBe(200);
    const body = response.json<MockRecallView>();
    const scope = await computeRecallScope(createStoreTraceReads(store), ['FARM-1']);
    expect(body.parties).toEqual(
      scope.notices.map((n) => ({
        partyId: n.recipient,
        name: { dairy: '乳业, "总厂"', farm: '牧场', shop: '超市' }[n.recipient],
        batches: n.batches,
      })),
    );
    expect(body).toMatchObject({ affectedBatchIds: ['FARM-1', 'MILK-1'], truncated: false });
    expect(body.elapsedMs).toEqual(expect.any(Number));
    expect(await store.query('SELECT count() AS n FROM recall_notices')).toEqual(before);
  });

  it('lets a producer drill only its own batches', async () => {
    expect((await mock('farm', { rootBatchIds: ['FARM-1'] })).statusCode).toBe(200);
    expect((await mock('dairy', { rootBatchIds: ['MILK-1'] })).statusCode).toBe(200);
    expect((await mock('dairy', { rootBatchIds: ['MILK-1', 'FARM-1'] })).statusCode).toBe(403);
    expect((await mock('outsider', { rootBatchIds: ['FARM-1'] })).statusCode).toBe(403);
  });

  it('answers 400 naming rootBatchIds for a bad mock body', async () => {
    for (const body of [
      {},
      { rootBatchIds: [] },
      { rootBatchIds: [7] },
      { rootBatchIds: Array(101).fill('B') },
    ]) {
      const response = await mock('regulator', body);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(/^rootBatchIds/);
    }
  });
});
