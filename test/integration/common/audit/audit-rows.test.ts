/**
 * The audit trail can always record what it audits, against real chDB: every row it builds is one
 * the store takes, whatever the request carried, and a row the store refuses anyway is dropped
 * alone, counted and logged, never holding back the rows around it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../../services/common/access/party-directory.js';
import { createAuditBuffer } from '../../../../services/common/audit/audit-buffer.js';
import {
  auditActionFor,
  type AuditedRequest,
} from '../../../../services/common/audit/audit-policy.js';
import { registerAuditRoutes } from '../../../../services/common/audit/audit-routes.js';
import {
  AUDIT_TABLE,
  auditRow,
  installAuditTrail,
  type AuditLogRow,
} from '../../../../services/common/audit/audit-trail.js';
import { createHttpApp } from '../../../../services/common/http/http-app.js';
import { createLogger } from '../../../../services/common/logger.js';
import { createMetrics } from '../../../../services/common/metrics/metrics.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import { createStoreTraceReads } from '../../../../services/common/trace/store-trace-reads.js';
import type { Operation } from '../../../../services/common/http/operations.js';
import * as logAdminRoutes from '../../../../services/common/dead-letters/log-admin-routes.js';
import * as auditRoutes from '../../../../services/common/audit/audit-routes.js';
import * as ingestOperations from '../../../../services/ingest/operations.js';
import * as recallOperations from '../../../../services/recall/operations.js';
import { registerRecallRoutes } from '../../../../services/recall/routes.js';
import * as traceOperations from '../../../../services/trace-api/operations.js';
import * as warningOperations from '../../../../services/trace-api/warnings/warning-operations.js';
import { getTraceOperation } from '../../../../services/trace-api/operations.js';

const dir = mkdtempSync(join(tmpdir(), 'suyuan-audit-rows-'));
const store = createChdbStore({ path: dir });
const silent = createLogger({ level: 'silent', pretty: false });

beforeAll(() => migrate(store, silent));
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Log lines written at error, to see what the trail says of a lost row. */
function errorLines() {
  const lines: Array<{ level: number; msg: string; rows?: number; reason?: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { logger: pino({ level: 'error' }, stream), lines };
}

const stored = (auditId: string) =>
  store.query<{ target: string; detail: string; route: string; user_agent: string }>(
    `SELECT target, detail, route, user_agent FROM ${AUDIT_TABLE} WHERE audit_id = {auditId:String}`,
    { auditId },
  );

/** Text a client can send: any UTF-16 units (lone surrogates too), control characters, long runs. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('\ud800', '\udfff', '\u0000', '\u001f', '😀', 'a'),
    maxLength: 300,
  }),
  fc.integer({ min: 195, max: 205 }).map((length) => `${'x'.repeat(length)}😀😀`),
  fc.constantFrom('\ud800', 'a\udc00b', '\\ud800', '"', '\\'),
);

/**
 * Every operation the services mount, each with its own audit rule (a getter builds the trace's
 * from its limits); the admin surface is the paths of those mounted as part of it.
 */
const operations: Operation[] = [
  ...[
    ingestOperations,
    recallOperations,
    traceOperations,
    warningOperations,
    auditRoutes,
    logAdminRoutes,
  ].flatMap((module) => Object.values(module).filter(isOperation)),
  getTraceOperation({ maxDepth: 64, maxNodes: 5000 }),
];
function isOperation(value: unknown): value is Operation {
  return typeof value === 'object' && value !== null && 'operationId' in value;
}
const adminSurface = operations
  .filter((operation) => operation.adminSurface)
  .map((operation) => operation.url.split('/:')[0] ?? operation.url);

const ids = fc.array(hostileText, { maxLength: 5 });
const audited = fc
  .record({
    operation: fc.constantFrom(...operations),
    routed: fc.boolean(),
    params: fc.record({
      batchId: hostileText,
      recallId: hostileText,
      partyId: hostileText,
      keyId: hostileText,
      topic: hostileText,
      partition: hostileText,
      offset: hostileText,
    }),
    query: fc.record({
      direction: hostileText,
      status: hostileText,
      batchId: hostileText,
      actor: hostileText,
      format: hostileText,
      q: hostileText,
    }),
    caller: fc.option(
      fc.record({
        partyId: hostileText,
        roles: fc.subarray(['submitter', 'regulator', 'admin'] as const),
      }),
      { nil: undefined },
    ),
    body: fc.oneof(
      fc.record({ rootBatchIds: ids, reason: hostileText }),
      fc.record({
        events: fc.array(
          fc.record({
            eventType: fc.constantFrom('RecallAcknowledged', 'RecallInitiated', 'BatchShipped'),
            recallId: hostileText,
            noticeId: hostileText,
          }),
          { maxLength: 3 },
        ),
      }),
      fc.record({ partyId: hostileText, roles: ids }),
    ),
    status: fc.constantFrom(200, 400, 403, 404),
  })
  .map(({ operation, routed, ...request }): AuditedRequest => ({
    ...request,
    method: operation.method,
    // An unrouted request is recorded by its path, which a client chose.
    route: routed ? operation.url : `${operation.url.split('/:')[0]}/${request.params.batchId}`,
    routed,
    rule: operation.audit,
  }));

describe('audit rows', () => {
  it('can store the row of every audited request, whatever it carried', async () => {
    let recorded = 0;
    await fc.assert(
      fc.asyncProperty(audited, hostileText, async (request, userAgent) => {
        const decided = auditActionFor(request, adminSurface);
        if (!decided) return;
        recorded += 1;
        const row = auditRow({ ip: '127.0.0.1', userAgent, requestId: 'req-1' }, request, decided);
        await store.insert(AUDIT_TABLE, [row]);
        const [back] = await stored(row.audit_id);
        expect(back).toEqual({
          target: row.target,
          detail: row.detail,
          route: row.route,
          user_agent: row.user_agent,
        });
      }),
      { numRuns: 150 },
    );
    // Most requests drawn are audited ones, so the property is not met by recording nothing.
    expect(recorded).toBeGreaterThan(50);
  });

  it('records an id whose 200th unit would split a surrogate pair, and the rows after it', async () => {
    const app = await createHttpApp({
      logger: silent,
      bodyLimitBytes: 1 << 20,
      parties: createPartyDirectory(store),
      readiness: [],
    });
    const trail = installAuditTrail(app, { store, logger: silent, flushIntervalMs: 60_000 });
    const parties = createPartyDirectory(store);
    registerRecallRoutes(app, { store, parties, reads: createStoreTraceReads(store) });
    registerAuditRoutes(app, { store, flush: trail.flush });
    await app.ready();
    const key = (await parties.create({ partyId: 'lab', name: 'lab', roles: ['regulator'] }))
      .apiKey;
    const split = `${'a'.repeat(199)}😀tail`;
    const headers = { authorization: `Bearer ${key}`, 'user-agent': 'split-agent' };
    const mock = await app.inject({
      method: 'POST',
      url: '/v1/recalls/mock',
      headers,
      payload: { rootBatchIds: [split] },
    });
    expect(mock.statusCode).toBe(400);
    await app.inject({ method: 'GET', url: '/v1/recalls/R-after', headers });
    await trail.flush();
    const rows = await store.query<{ action: string; target: string }>(
      `SELECT action, target FROM ${AUDIT_TABLE} WHERE user_agent = 'split-agent' ORDER BY at`,
    );
    expect(rows).toEqual([
      { action: 'recall.mock', target: `${'a'.repeat(199)}😀` },
      { action: 'recall.read', target: 'R-after' },
    ]);
    await trail.close();
    await app.close();
  });
});

describe('the audit buffer and a row the store refuses', () => {
  const row = (target: string, agent: string): AuditLogRow => ({
    ...auditRow(
      { ip: '127.0.0.1', userAgent: agent, requestId: 'r' },
      {
        method: 'GET',
        route: '/v1/recalls',
        routed: true,
        params: {},
        query: {},
        caller: undefined,
        body: undefined,
        status: 200,
      },
      { action: 'recall.read', target: 'x', detail: {} },
    ),
    // Past the sanitising: the store refuses half a surrogate pair.
    target,
  });

  it('writes every other row, drops the refused one alone, and counts and logs the loss', async () => {
    const { logger, lines } = errorLines();
    const metrics = createMetrics({ service: 'test' });
    const buffer = createAuditBuffer<AuditLogRow>({
      store,
      table: AUDIT_TABLE,
      logger,
      maxBuffer: 1000,
      onLost: (rows, reason) => metrics.auditRowsLost.inc({ reason }, rows),
      describe: (lost) => ({ auditId: lost.audit_id }),
    });
    const rows = ['T-1', 'T-2', 'T-3', '\ud800', 'T-5', 'T-6', 'T-7'].map((target) =>
      row(target, 'isolation-agent'),
    );
    for (const each of rows) buffer.add(each);
    await buffer.flush();
    // Later rows are not held back by the refused one either.
    buffer.add(row('T-8', 'isolation-agent'));
    await buffer.flush();

    const written = await store.query<{ target: string }>(
      `SELECT target FROM ${AUDIT_TABLE} WHERE user_agent = 'isolation-agent' ORDER BY target`,
    );
    expect(written.map(({ target }) => target)).toEqual([
      'T-1',
      'T-2',
      'T-3',
      'T-5',
      'T-6',
      'T-7',
      'T-8',
    ]);
    expect(await metrics.registry.metrics()).toContain(
      'suyuan_audit_rows_lost_total{reason="refused",service="test"} 1',
    );
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'audit rows lost: the store refused a row',
        rows: 1,
        reason: 'refused',
      }),
    ]);
  });

  it('reports every loss reason from the start, at zero', async () => {
    const metrics = createMetrics({ service: 'test' });
    const app = await createHttpApp({
      logger: silent,
      bodyLimitBytes: 1 << 20,
      parties: createPartyDirectory(store),
      readiness: [],
    });
    const trail = installAuditTrail(app, { store, logger: silent, metrics });
    const text = await metrics.registry.metrics();
    for (const reason of ['refused', 'buffer_full', 'unwritten_at_close']) {
      expect(text).toContain(`suyuan_audit_rows_lost_total{reason="${reason}",service="test"} 0`);
    }
    await trail.close();
    await app.close();
  });
});
