/**
 * One store behaviour suite, run against every way the platform reaches ClickHouse: chDB in
 * process (embedded mode), the ClickHouse HTTP interface served over chDB by its own process
 * (tools/store-server: the real @clickhouse/client HTTP path end to end), and a real ClickHouse
 * server in a container where a Docker engine answers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { ClickHouseContainer, type StartedClickHouseContainer } from '@testcontainers/clickhouse';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../services/common/logger.js';
import { createStore } from '../../../../services/common/store/create-store.js';
import { loadMigrations, migrate } from '../../../../services/common/store/migrations.js';
import type { Store } from '../../../../services/common/store/store.js';
import type { ServiceProcess } from '../../../support/service-process.js';
import { spawnStoreServer } from '../../../support/store-server.js';

const logger = createLogger({ level: 'silent', pretty: false });

interface Row {
  id: string;
  n: number;
  big: number;
  at: string;
}

/** What the platform relies on from any store adapter. `open` runs once, before the tests. */
function storeBehaviour(open: () => Promise<Store>): void {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  const newTable = async (): Promise<string> => {
    const table = `contract_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await store.command(`CREATE TABLE ${table} (
      id String, n UInt32, big UInt64, at DateTime64(3, 'UTC')
    ) ENGINE = ReplacingMergeTree ORDER BY id`);
    return table;
  };

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('applies the migrations once; a second run applies none', async () => {
    const files = await loadMigrations();
    expect(await migrate(store, logger)).toBe(files.length);
    expect(await migrate(store, logger)).toBe(0);
    const tables = await store.query<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}`,
      { names: ['events', 'batch_events', 'schema_migrations'] },
    );
    expect(tables.map((table) => table.name).sort()).toEqual([
      'batch_events',
      'events',
      'schema_migrations',
    ]);
  });

  it('round-trips strings, integers and times; times come back RFC 3339 in UTC', async () => {
    const table = await newTable();
    const rows: Row[] = [
      { id: 'plain', n: 7, big: 2 ** 40, at: '2024-05-06T07:08:09.123Z' },
      {
        id: `it's a "quote" \\ and\ttab\nnewline 溯源`,
        n: 0,
        big: 1,
        at: '2024-05-06T23:59:59.999Z',
      },
    ];
    await store.insert(table, rows);
    const back = await store.query<Row>(
      `SELECT id, n, big, at FROM ${table} FINAL ORDER BY n DESC`,
    );
    expect(back).toEqual(rows);
  });

  it('binds String, Array(String) and time parameters as a server does', async () => {
    const table = await newTable();
    const ids = ['a', `o'brien`, 'back\\slash', 'tab\there', 'comma,[bracket]'];
    await store.insert(
      table,
      ids.map((id, n) => ({ id, n, big: n, at: `2024-01-0${n + 1}T00:00:00.000Z` })),
    );
    const picked = await store.query<{ id: string }>(
      `SELECT id FROM ${table} FINAL WHERE id IN {ids:Array(String)} ORDER BY n`,
      { ids: [`o'brien`, 'back\\slash', 'tab\there', 'missing'] },
    );
    expect(picked.map((row) => row.id)).toEqual([`o'brien`, 'back\\slash', 'tab\there']);
    const one = await store.query<{ n: number }>(`SELECT n FROM ${table} WHERE id = {id:String}`, {
      id: 'comma,[bracket]',
    });
    expect(one).toEqual([{ n: 4 }]);
    const since = await store.query<{ id: string }>(
      `SELECT id FROM ${table} FINAL
       WHERE at >= parseDateTime64BestEffort({since:String}, 3, 'UTC')
         AND at < {until:DateTime64(3, 'UTC')} ORDER BY at`,
      { since: '2024-01-03T00:00:00.000Z', until: '2024-01-05 00:00:00.000' },
    );
    expect(since.map((row) => row.id)).toEqual(['back\\slash', 'tab\there']);
  });

  it('collapses a replayed row with FINAL (ReplacingMergeTree)', async () => {
    const table = await newTable();
    const row = { id: 'same', n: 1, big: 1, at: '2024-01-01T00:00:00.000Z' };
    await store.insert(table, [row]);
    await store.insert(table, [{ ...row, n: 2 }]);
    const rows = await store.query<{ id: string; n: number }>(`SELECT id, n FROM ${table} FINAL`);
    expect(rows).toEqual([{ id: 'same', n: 2 }]);
  });

  it('runs commands with parameters, and ignores an empty insert', async () => {
    const table = await newTable();
    await store.insert(table, []);
    await store.command(
      `INSERT INTO ${table} SELECT {id:String}, 3, 3, toDateTime64('2024-01-01 00:00:00', 3, 'UTC')`,
      { id: 'from-command' },
    );
    const rows = await store.query<{ c: number }>(`SELECT count() AS c FROM ${table}`);
    expect(rows).toEqual([{ c: 1 }]);
  });

  it('rejects a failed statement with store_unavailable and the server message', async () => {
    const failure = store.query('SELECT * FROM no_such_table_here');
    await expect(failure).rejects.toMatchObject({
      name: 'SuyuanError',
      code: 'store_unavailable',
      message: expect.stringContaining('no_such_table_here'),
    });
    await expect(store.command('CREATE TABLE broken (')).rejects.toMatchObject({
      code: 'store_unavailable',
      message: expect.stringMatching(/Syntax error/i),
    });
  });

  // Issue 13: a consumer sets aside what the store refuses, and waits while it cannot be reached;
  // the adapter is where the two are told apart.
  it('refuses values it cannot hold with store_refused and the store reason, writing none of them', async () => {
    const table = await newTable();
    const good = { id: 'good', n: 1, big: 1, at: '2024-01-01T00:00:00.000Z' };
    const refusals: Array<[Partial<Row>, RegExp]> = [
      [{ at: '-000001-12-31T23:00:00.000Z' }, /Cannot read DateTime/],
      [{ at: 'not a time' }, /Cannot read DateTime/],
      [{ n: -1 }, /Unsigned type must not contain '-' symbol/],
    ];
    for (const [values, reason] of refusals) {
      await expect(
        store.insert(table, [good, { ...good, id: 'bad', ...values }]),
      ).rejects.toMatchObject({
        name: 'SuyuanError',
        code: 'store_refused',
        retryable: false,
        // The store's own words as the client reads them from a server: no code, no prefix.
        message: expect.stringMatching(new RegExp(`^store refused the data: ${reason.source}`)),
      });
    }
    expect(await store.query(`SELECT id FROM ${table}`)).toEqual([]);
    await expect(store.query('SELECT * FROM no_such_table_here')).rejects.toMatchObject({
      code: 'store_unavailable',
    });
  });

  // The projector's batches reach 5 000 events: the embedded store serialises them a slice at a
  // time, still one insert.
  it('holds every row of a large insert, and writes none of them when one is refused', async () => {
    const [table, other] = [await newTable(), await newTable()];
    const at = '2024-01-01T00:00:00.000Z';
    const rows = Array.from({ length: 2_500 }, (_, n) => ({ id: `${n}`, n, big: n, at }));
    await store.insert(table, rows);
    const [counted] = await store.query(`SELECT count() AS c, sum(n) AS s FROM ${table}`);
    expect(counted).toEqual({ c: 2_500, s: (2_499 * 2_500) / 2 });
    const refused = rows.map((row) => (row.n === 2_400 ? { ...row, n: -1 } : row));
    await expect(store.insert(other, refused)).rejects.toMatchObject({ code: 'store_refused' });
    expect(await store.query(`SELECT id FROM ${other}`)).toEqual([]);
  });
}

describe('store: chDB in process', () => {
  let dataDir: string;
  // Registered first, so it runs after the suite has closed the store.
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  storeBehaviour(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'suyuan-store-chdb-'));
    return createStore({ kind: 'chdb', path: dataDir });
  });
});

describe('store: ClickHouse HTTP interface served over chDB (tools/store-server)', () => {
  const username = 'suyuan_test';
  const password = `secret-${randomUUID()}`;
  const database = `suyuan_${randomUUID().slice(0, 8)}`;
  let dataDir: string;
  let server: ServiceProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'suyuan-store-http-'));
    server = await spawnStoreServer({ dataDir, credentials: { username, password } });
  });
  afterAll(async () => {
    await server?.stop();
    if (server) expect(await server.exited, 'store-server exit code after SIGTERM').toBe(0);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  storeBehaviour(() =>
    createStore({ kind: 'clickhouse', url: server.url, username, password, database }),
  );

  it('refuses a wrong password with the server error, naming the failure', async () => {
    const store = await createStore({
      kind: 'clickhouse',
      url: server.url,
      username,
      password: 'wrong',
      database: 'default',
    });
    try {
      await expect(store.query('SELECT 1')).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringContaining('Authentication failed'),
      });
    } finally {
      await store.close();
    }
  });

  it('answers compressed requests and responses, multipart parameters, per-request settings', async () => {
    const client = createClient({
      url: server.url,
      username,
      password,
      compression: { request: true, response: true },
      use_multipart_params: true,
    });
    try {
      const table = `compressed_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      await client.command({ query: `CREATE TABLE ${table} (id String) ENGINE = Memory` });
      await client.insert({ table, values: [{ id: 'gzipped' }], format: 'JSONEachRow' });
      const inserted = await client.query({
        query: `SELECT id FROM ${table}`,
        format: 'JSONEachRow',
      });
      expect(inserted.response_headers['content-encoding']).toBe('gzip');
      expect(await inserted.json()).toEqual([{ id: 'gzipped' }]);
      const rows = await client.query({
        query: `SELECT {ids:Array(String)} AS ids, getSetting('max_threads') AS threads`,
        query_params: { ids: [`it's`, 'x'] },
        clickhouse_settings: { max_threads: 1 },
        format: 'JSONEachRow',
      });
      expect(await rows.json()).toEqual([{ ids: [`it's`, 'x'], threads: 1 }]);
      const after = await client.query({
        query: `SELECT getSetting('max_threads') AS threads`,
        format: 'JSONEachRow',
      });
      const [next] = await after.json<{ threads: number }>();
      expect(next?.threads).not.toBe(1);
    } finally {
      await client.close();
    }
  });

  it('keeps concurrent requests apart: each gets its own parameters and settings', async () => {
    const client = createClient({ url: server.url, username, password });
    try {
      const answers = await Promise.all(
        Array.from({ length: 24 }, async (_, i) => {
          const result = await client.query({
            query: `SELECT {value:String} AS value, getSetting('max_threads') AS threads`,
            query_params: { value: `request-${i}` },
            clickhouse_settings: { max_threads: (i % 4) + 1 },
            format: 'JSONEachRow',
          });
          return result.json<{ value: string; threads: number }>();
        }),
      );
      answers.forEach((rows, i) => {
        expect(rows).toEqual([{ value: `request-${i}`, threads: (i % 4) + 1 }]);
      });
    } finally {
      await client.close();
    }
  });

  it('answers GET /ping with Ok. and reports exceptions the way a server does', async () => {
    expect(await (await fetch(`${server.url}/ping`)).text()).toBe('Ok.\n');
    const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const response = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { authorization: auth },
      body: 'SELECT * FROM no_such_table_here',
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await response.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\)/);
  });
});

const dockerEngine = await getContainerRuntimeClient().then(
  () => true,
  () => false,
);
const NO_DOCKER =
  'no Docker engine on this machine: the ClickHouse server path is covered by the chDB HTTP endpoint above';
if (!dockerEngine) console.info(`skipping the ClickHouse server container suite: ${NO_DOCKER}`);

describe.skipIf(!dockerEngine)(
  `store: a real ClickHouse server (testcontainers)${dockerEngine ? '' : ` — skipped: ${NO_DOCKER}`}`,
  () => {
    let container: StartedClickHouseContainer;
    afterAll(async () => {
      await container?.stop();
    });
    storeBehaviour(async () => {
      container = await new ClickHouseContainer('clickhouse/clickhouse-server:25.8').start();
      return createStore({
        kind: 'clickhouse',
        url: container.getHttpUrl(),
        username: container.getUsername(),
        password: container.getPassword(),
        database: container.getDatabase(),
      });
    });
  },
);
