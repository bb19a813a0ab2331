/**
 * The store server (chDB over the ClickHouse HTTP interface) as clients other than ours use it:
 * the stock Python client, clickhouse-connect, with its defaults (an HTTP session id on every
 * request, Native bodies, lz4 request compression), and binary rows sent byte for byte.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLICKHOUSE_CONNECT, findPython, runPythonScript } from '../../../support/python-client.js';
import type { ServiceProcess } from '../../../support/service-process.js';
import { spawnStoreServer } from '../../../support/store-server.js';

const username = 'suyuan_clients';
const password = `secret-${randomUUID()}`;
const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

let dataDir: string;
let server: ServiceProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'suyuan-store-clients-'));
  server = await spawnStoreServer({ dataDir, credentials: { username, password } });
});
afterAll(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** POST one statement (`query` in the URL) with a body, as the HTTP interface takes it. */
async function post(query: string, body: Uint8Array | string, extra: Record<string, string> = {}) {
  const url = new URL(server.url);
  if (query !== '') url.searchParams.set('query', query);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return fetch(url, { method: 'POST', headers: { authorization: auth }, body });
}

function writtenRows(response: Response): number {
  const summary = JSON.parse(response.headers.get('x-clickhouse-summary') ?? '{}') as {
    written_rows?: string;
  };
  return Number(summary.written_rows);
}

describe('the stock Python client, clickhouse-connect', { tags: ['clickhouse-connect'] }, () => {
  type Outcome<T> = { ok: T; error?: undefined } | { ok?: undefined; error: string };
  interface InsertAnswer {
    written_rows: number;
    summary: Record<string, string>;
  }
  interface Session {
    query: Outcome<unknown[][]>;
    create: Outcome<unknown>;
    insert_default: Outcome<InsertAnswer>;
    insert_gzip: Outcome<InsertAnswer>;
    insert_uncompressed: Outcome<InsertAnswer>;
    raw_insert_json: Outcome<InsertAnswer>;
    read_back: Outcome<unknown[][]>;
    command_summary: Outcome<Record<string, string>>;
  }
  let session: Session;
  beforeAll(async () => {
    const table = `py_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const { python } = await findPython(CLICKHOUSE_CONNECT);
    if (!python) throw new Error('the clickhouse-connect part went missing during the run');
    session = await runPythonScript<Session>(python, './clickhouse_connect_session.py', [
      server.url,
      username,
      password,
      table,
    ]);
  });

  it('queries with the default client (it sends a session_id, which is accepted)', () => {
    expect(session.query).toEqual({ ok: [[1, 'x']] });
    expect(session.create.error).toBeUndefined();
  });

  it('inserts Native rows byte for byte and reports the rows written', () => {
    expect(session.insert_gzip).toMatchObject({ ok: { written_rows: 3 } });
    expect(session.insert_uncompressed).toMatchObject({ ok: { written_rows: 3 } });
    expect(session.raw_insert_json).toMatchObject({ ok: { written_rows: 1 } });
    const rows = [
      ['json row', 7, 0.5, '2026-11-23T00:00:00'],
      ['nul\u0000byte', 1_000_000, -0.125, '2026-11-21T09:30:00'],
      ['plain', 4_294_967_295, 1e300, '2026-11-22T00:00:00'],
      ['溯源 batch', 200, 2.5, '2026-11-20T05:00:00'],
    ];
    // Two Native inserts (gzip, uncompressed) of the same three rows, and the JSON row.
    const expected = [rows[0], rows[1], rows[1], rows[2], rows[2], rows[3], rows[3]];
    expect(session.read_back).toEqual({ ok: expected });
    expect(session.command_summary).toMatchObject({ ok: { written_rows: '3' } });
  });

  it('refuses lz4 request bodies (the default) with NOT_IMPLEMENTED naming the encoding', () => {
    expect(session.insert_default.error).toMatch(
      /Code: 48\. DB::Exception: Content-Encoding lz4 is not supported by the chDB HTTP endpoint.*\(NOT_IMPLEMENTED\)/,
    );
  });
});

/** RowBinary: String as a LEB128 length and its bytes, integers and floats little-endian. */
function rowBinary(
  rows: ReadonlyArray<{ run: number; seq: number; id: Uint8Array; value: number }>,
): Buffer {
  const parts: Buffer[] = [];
  for (const row of rows) {
    const seq = Buffer.alloc(8);
    seq.writeUInt32LE(row.run);
    seq.writeUInt32LE(row.seq, 4);
    let length = row.id.length;
    const varint: number[] = [];
    do {
      varint.push((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
      length >>>= 7;
    } while (length > 0);
    const value = Buffer.alloc(8);
    value.writeDoubleLE(row.value);
    parts.push(seq, Buffer.from(varint), Buffer.from(row.id), value);
  }
  return Buffer.concat(parts);
}

// Any bytes, and often those a script reader would split at: line feeds, carriage returns, `;`.
const idBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .array(fc.constantFrom(0x0a, 0x0d, 0x3b, 0x20, 0x00, 0x41), { maxLength: 12 })
    .map((bytes) => Uint8Array.from(bytes)),
);

describe('insert bodies are rows, never SQL', () => {
  it('stores rows separated by an empty line, and runs nothing written after it', async () => {
    const table = `blank_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const created = await post(
      `CREATE TABLE ${table} (id String) ENGINE = MergeTree ORDER BY id`,
      '',
    );
    expect(created.status, await created.text()).toBe(200);
    const smuggled = `smuggled_${table}`;
    // JSONEachRow allows blank lines between rows; the last "row" is SQL that must stay data.
    const body = `{"id":"a"}\n\n{"id":"b"}\n\nCREATE TABLE ${smuggled} (x UInt8) ENGINE = Memory\n`;
    const inserted = await post(`INSERT INTO ${table} FORMAT JSONEachRow`, body);
    expect(inserted.status).toBe(400);
    expect(await inserted.text()).toMatch(/CANNOT_PARSE|INCORRECT_DATA|Cannot parse/);
    const tables = await post(`SELECT name FROM system.tables WHERE name = '${smuggled}'`, '');
    expect(await tables.text()).toBe('');

    const clean = await post(
      `INSERT INTO ${table} FORMAT JSONEachRow`,
      '{"id":"a"}\n\n{"id":"b"}\n',
    );
    expect(clean.status, await clean.text()).toBe(200);
    expect(writtenRows(clean)).toBe(2);
    const back = await post(`SELECT id FROM ${table} ORDER BY id`, '');
    expect(await back.text()).toBe('a\nb\n');
  });
});

describe('binary insert bodies', () => {
  it('stores any RowBinary rows byte for byte, and reports the rows written', async () => {
    const table = `rowbinary_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const created = await post(
      `CREATE TABLE ${table} (run UInt32, seq UInt32, id String, value Float64) ENGINE = MergeTree ORDER BY (run, seq)`,
      '',
    );
    expect(created.status, await created.text()).toBe(200);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ id: idBytes, value: fc.double() }), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.boolean(),
        async (generated, statementInBody) => {
          run += 1;
          const rows = generated.map((row, seq) => ({ ...row, run, seq }));
          const body = rowBinary(rows);
          // The statement in the URL (clickhouse-js), or before the rows in the body
          // (clickhouse-connect).
          const statement = `INSERT INTO ${table} FORMAT RowBinary`;
          const session = { session_id: `property-${run}` };
          const inserted = statementInBody
            ? await post('', Buffer.concat([Buffer.from(`${statement}\n`), body]), session)
            : await post(statement, body, session);
          expect(inserted.status, await inserted.text()).toBe(200);
          expect(writtenRows(inserted)).toBe(rows.length);
          const back = await post(
            `SELECT run, seq, id, value FROM ${table} WHERE run = ${run} ORDER BY seq FORMAT RowBinary`,
            '',
          );
          expect(Buffer.from(await back.arrayBuffer()).equals(body)).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('answers NOT_IMPLEMENTED naming what it cannot take', async () => {
    const refusals = [
      { headers: { 'content-encoding': 'zstd' }, body: 'SELECT 1', names: 'Content-Encoding zstd' },
      { query: '?compress=1', body: 'SELECT 1', names: "ClickHouse's compressed-block format" },
      {
        body: Buffer.concat([Buffer.from("SELECT '"), Buffer.from([0xff, 0xfe]), Buffer.from("'")]),
        names: 'not UTF-8 text',
      },
    ];
    for (const refusal of refusals) {
      const response = await fetch(`${server.url}/${refusal.query ?? ''}`, {
        method: 'POST',
        headers: { authorization: auth, ...refusal.headers },
        body: refusal.body,
      });
      expect(response.status).toBe(501);
      expect(response.headers.get('x-clickhouse-exception-code')).toBe('48');
      const text = await response.text();
      expect(text).toMatch(/^Code: 48\. DB::Exception: .*\(NOT_IMPLEMENTED\)/);
      expect(text).toContain(refusal.names);
    }
  });
});
