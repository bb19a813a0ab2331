import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../../services/common/access/party-directory.js';
import { createPublicProfiles } from '../../../../services/common/access/public-profiles.js';
import {
  registerAuditRoutes,
  type AuditEntry,
} from '../../../../services/common/audit/audit-routes.js';
import {
  installAuditTrail,
  type AuditTrail,
} from '../../../../services/common/audit/audit-trail.js';
import { createHttpApp } from '../../../../services/common/http/http-app.js';
import { createLogger, type Logger } from '../../../../services/common/logger.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import type { Store } from '../../../../services/common/store/store.js';
import { createStoreTraceReads } from '../../../../services/common/trace/store-trace-reads.js';
import { registerPartyRoutes } from '../../../../services/ingest/party-routes.js';
import { registerIngestRoutes } from '../../../../services/ingest/routes.js';
import { registerRecallRoutes } from '../../../../services/recall/routes.js';
import { registerTraceRoutes } from '../../../../services/trace-api/routes.js';
import { acknowledged } from '../../../support/event-builders.js';
import { pollUntil } from '../../../support/poll.js';

const dir = mkdtempSync(join(tmpdir(), 'suyuan-audit-'));
const store = createChdbStore({ path: dir });
const parties = createPartyDirectory(store);
const publicProfiles = createPublicProfiles(store);
const logger = createLogger({ level: 'silent', pretty: false });
const apps: FastifyInstance[] = [];

interface AppOptions {
  readonly store: Store;
  readonly flushIntervalMs: number;
  readonly maxBuffer?: number;
  readonly logger?: Logger;
}

/** An app with the audit trail installed before its routes, as the launcher wires it. */
async function auditedApp(
  options: AppOptions,
): Promise<{ app: FastifyInstance; trail: AuditTrail }> {
  const app = await createHttpApp({ logger, bodyLimitBytes: 1 << 20, parties, readiness: [] });
  const trail = installAuditTrail(app, { logger, ...options });
  apps.push(app);
  return { app, trail };
}

/** A batch the trace routes know: its production, as the projector writes it. */
async function givenBatch(batchId: string, at = '2026-11-01T08:00:00.000Z'): Promise<void> {
  const made = { batch_id: batchId, event_id: `ev-${batchId}` };
  await store.insert('batches', [
    {
      ...made,
      ...{ product_id: 'gtin-1', product_name: 'milk powder', producer: 'dairy', operator: null },
      ...{ quantity: 100, unit: 'kg', produced_at: at, recorded_at: at },
    },
  ]);
  const event = { event_time: at, event_type: 'BatchProduced', party: 'dairy' };
  await store.insert('batch_events', [{ ...made, ...event }]);
}

beforeAll(async () => {
  await migrate(store, logger);
  await givenBatch('MILK-1');
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the audit trail of the platform', () => {
  let app: FastifyInstance;
  const keys = new Map<string, string>();

  const call = (party: string | undefined, method: 'GET' | 'POST', url: string, body?: object) =>
    app.inject({
      method,
      url,
      headers: {
        'user-agent': `${party ?? 'nobody'}-client/1.0`,
        ...(party ? { authorization: `Bearer ${keys.get(party)}` } : {}),
      },
      ...(body ? { payload: body } : {}),
    });
  const audit = async (query: string): Promise<AuditEntry[]> => {
    const response = await call('admin', 'GET', `/v1/audit${query}`);
    expect(response.statusCode).toBe(200);
    return response.json<AuditEntry[]>();
  };

  beforeAll(async () => {
    // A long interval: only the audit route's flush writes, so each test sees its own rows.
    const audited = await auditedApp({ store, flushIntervalMs: 60_000 });
    app = audited.app;
    const ingestor = { submit: () => Promise.resolve({ results: [], warnings: [] }) };
    const reads = createStoreTraceReads(store);
    registerTraceRoutes(app, {
      reads,
      parties,
      limits: { maxDepth: 64, maxNodes: 5000 },
    });
    registerRecallRoutes(app, { store, reads, parties });
    registerIngestRoutes(app, { ingestor });
    registerPartyRoutes(app, { parties, publicProfiles, allowPrivateWebhooks: true });
    registerAuditRoutes(app, { store, flush: audited.trail.flush });
    keys.set('admin', (await parties.ensureAdmin(undefined)) ?? '');
    for (const [partyId, roles] of [
      ['samr', ['regulator']],
      ['dairy', ['submitter']],
    ] as const) {
      keys.set(
        partyId,
        (await parties.create({ partyId, name: partyId, roles: [...roles] })).apiKey,
      );
    }
    await app.ready();
  });

  it("records a regulator's trace query with who, when, what and from where", async () => {
    const before = new Date().toISOString();
    const traced = await call('samr', 'GET', '/v1/batches/MILK-1/trace?direction=downstream');
    expect(traced.statusCode).toBe(200);

    const [entry, ...rest] = await audit('?actor=samr&action=trace.read');
    expect(rest).toEqual([]);
    expect(entry).toEqual({
      at: expect.any(String),
      auditId: expect.any(String),
      actor: 'samr',
      actorRoles: ['regulator'],
      action: 'trace.read',
      method: 'GET',
      route: '/v1/batches/:batchId/trace',
      target: 'MILK-1',
      status: 200,
      ip: '127.0.0.1',
      userAgent: 'samr-client/1.0',
      requestId: expect.stringMatching(/.+/),
      detail: { direction: 'downstream' },
    });
    expect(Date.parse(entry?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(before) - 1);
  });

  it("does not record a submitter's trace query", async () => {
    expect((await call('dairy', 'GET', '/v1/batches/MILK-1/trace')).statusCode).toBe(200);
    expect(await audit('?actor=dairy&action=trace.read')).toEqual([]);
  });

  it('answers 403 to a non-admin reading the trail, and records the attempt', async () => {
    expect((await call('samr', 'GET', '/v1/audit?actor=dairy')).statusCode).toBe(403);
    expect((await call(undefined, 'GET', '/v1/audit')).statusCode).toBe(401);

    const attempts = await audit('?action=admin.audit.read&limit=1000');
    expect(attempts).toContainEqual(
      expect.objectContaining({ actor: 'samr', status: 403, detail: { actor: 'dairy' } }),
    );
    expect(attempts).toContainEqual(
      expect.objectContaining({ actor: 'anonymous', actorRoles: [], status: 401 }),
    );
  });

  it('records recall reads and recall actions, and party creation without secrets', async () => {
    // To a party that is not a regulator an unknown recall is out of reach, like any other.
    expect((await call('dairy', 'GET', '/v1/recalls/R-9')).statusCode).toBe(403);
    const ack = await call('dairy', 'POST', '/v1/events', acknowledged('N-7'));
    expect(ack.statusCode).toBe(202);
    const secret = `whsec_${Buffer.from('do-not-log-this-secret-0123456789').toString('base64')}`;
    const created = await call('admin', 'POST', '/v1/parties', {
      partyId: 'farm',
      name: 'Farm',
      roles: ['submitter'],
      webhook: { url: 'https://farm.example/hook', secret },
    });
    expect(created.statusCode).toBe(201);

    expect(await audit('?actor=dairy&action=recall.*')).toMatchObject([
      { action: 'recall.action', target: 'N-7', status: 202, route: '/v1/events' },
      { action: 'recall.read', target: 'R-9', status: 403 },
    ]);
    const everything = await call('admin', 'GET', '/v1/audit?limit=1000');
    expect(everything.body).toContain('admin.party.create');
    expect(everything.body).not.toContain(secret);
    expect(everything.body).not.toContain(created.json<{ apiKey: string }>().apiKey);
    for (const key of keys.values()) expect(everything.body).not.toContain(key);
  });

  it('filters by actor, action family, target, time and limit, newest first', async () => {
    await call('samr', 'GET', '/v1/batches/MILK-1');
    await call('samr', 'GET', '/v1/batches/OTHER-9/trace');
    const mine = await audit('?actor=samr');
    expect(mine.map((entry) => entry.at)).toEqual(
      mine
        .map((entry) => entry.at)
        .sort()
        .reverse(),
    );
    expect((await audit('?actor=samr&target=OTHER-9')).map((entry) => entry.status)).toEqual([404]);
    expect((await audit('?actor=samr&action=batch.read')).map((entry) => entry.target)).toEqual([
      'MILK-1',
    ]);
    expect(await audit('?actor=samr&limit=2')).toEqual(mine.slice(0, 2));

    const oldest = mine.at(-1)?.at ?? '';
    expect(await audit(`?actor=samr&until=${oldest}`)).toEqual([]);
    expect(await audit(`?actor=samr&since=${oldest}`)).toEqual(mine);
    expect(await audit('?since=2999-01-01T00:00:00Z')).toEqual([]);
  });

  it('answers 400 naming the parameter for a bad filter', async () => {
    for (const [query, message] of [
      ['since=yesterday', 'since: must be an RFC 3339 time'],
      ['until=2026-13-01T00:00:00Z', 'until: must be an RFC 3339 time'],
      ['limit=0', 'limit: must be an integer from 1 to 1000'],
      ['limit=1001', 'limit: must be an integer from 1 to 1000'],
      ['actor=a&actor=b', 'actor: must be one non-empty value of at most 256 characters'],
      ['who=samr', 'who: unknown field'],
    ]) {
      const response = await call('admin', 'GET', `/v1/audit?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json(), query).toMatchObject({ error: 'invalid_request', message });
    }
  });

  it('offers no way to change or delete audit rows, and records the attempts', async () => {
    const count = (await audit('?limit=1000')).length;
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const response = await app.inject({
        method,
        url: '/v1/audit',
        headers: { authorization: `Bearer ${keys.get('admin')}` },
        payload: {},
      });
      expect(response.statusCode, method).toBe(405);
      expect(response.headers.allow, method).toBe('GET, HEAD');
    }
    const attempts = await audit('?action=admin.unrouted');
    expect(attempts.map((entry) => entry.method).sort()).toEqual(['DELETE', 'PATCH', 'PUT']);
    expect(attempts.every((entry) => entry.route === '/v1/audit')).toBe(true);
    // Every earlier row is still there: the three attempts and this read were added.
    expect((await audit('?limit=1000')).length).toBe(count + 1 + 3 + 1);
  });
});

/** Log lines of the trail, to see what it says when the store refuses writes. */
function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

/** The store, out of reach while `down` is set: inserts and pings fail. */
function flakyStore(): Store & { down: boolean } {
  const flaky = {
    ...store,
    down: false,
    insert: (table: string, rows: readonly object[]) =>
      flaky.down ? Promise.reject(new Error('store down')) : store.insert(table, rows),
    ping: () => (flaky.down ? Promise.reject(new Error('store down')) : store.ping()),
  };
  return flaky;
}

describe('the audit buffer', () => {
  const rowsFrom = async (agent: string) =>
    (
      await store.query<{ n: number }>(
        'SELECT count() AS n FROM audit_log WHERE user_agent = {agent:String}',
        { agent },
      )
    )[0]?.n ?? 0;
  /** An anonymous read of the trail: a 401 the trail records. */
  const attempt = (app: FastifyInstance, agent: string) =>
    app.inject({ method: 'GET', url: '/v1/audit', headers: { 'user-agent': agent } });

  async function bufferedApp(options: AppOptions) {
    const captured = capturedLogger();
    const { app, trail } = await auditedApp({ ...options, logger: captured.logger });
    registerAuditRoutes(app, { store });
    return { app, trail, lines: captured.lines };
  }

  it('writes a batch when maxBuffer rows are pending, not one insert per request', async () => {
    const { app } = await bufferedApp({ store, flushIntervalMs: 60_000, maxBuffer: 3 });
    await attempt(app, 'batch-agent');
    await attempt(app, 'batch-agent');
    expect(await rowsFrom('batch-agent')).toBe(0);
    await attempt(app, 'batch-agent');
    await pollUntil(async () => (await rowsFrom('batch-agent')) === 3, { what: 'a batch' });
  });

  it('writes pending rows on the timer', async () => {
    const { app } = await bufferedApp({ store, flushIntervalMs: 20 });
    await attempt(app, 'timer-agent');
    await pollUntil(async () => (await rowsFrom('timer-agent')) === 1, { what: 'the timer' });
  });

  it('keeps the rows of a failed write for the next flush, and close() writes them', async () => {
    const flaky = flakyStore();
    const { app, trail, lines } = await bufferedApp({ store: flaky, flushIntervalMs: 60_000 });
    flaky.down = true;
    await attempt(app, 'retry-agent');
    await attempt(app, 'retry-agent');
    await trail.flush();
    expect(await rowsFrom('retry-agent')).toBe(0);
    expect(lines.join('')).toContain('audit write failed, rows kept for a retry');

    flaky.down = false;
    await attempt(app, 'retry-agent');
    await trail.close();
    expect(await rowsFrom('retry-agent')).toBe(3);
  });

  it('holds at most ten batches while the store is down, and says loudly what it dropped', async () => {
    const flaky = flakyStore();
    const { app, trail, lines } = await bufferedApp({
      store: flaky,
      flushIntervalMs: 60_000,
      maxBuffer: 1,
    });
    flaky.down = true;
    for (let i = 0; i < 12; i += 1) await attempt(app, 'cap-agent');
    flaky.down = false;
    await trail.flush();
    expect(await rowsFrom('cap-agent')).toBe(10);
    expect(lines.join('')).toContain('"rows":2,"reason":"buffer_full"');
  });
});
