/**
 * chDB as the engine behind the ClickHouse HTTP endpoint: one session on the data directory, one
 * statement at a time (chDB's parameter binding is not safe under concurrency), and per-request
 * database and settings, as a ClickHouse server gives each HTTP request without a session.
 *
 * chDB keeps `SET` values process-wide, not per connection, so each request's settings are set
 * before its statement, and those the previous request had but this one does not are put back to
 * their defaults.
 *
 * An INSERT's rows reach the engine as a file (`FROM INFILE`), never as text after its statement:
 * chDB reads a statement's text as a script, so rows holding an empty line (two line feeds, common
 * in RowBinary and Native, legal between JSONEachRow rows) were cut there, and what followed ran
 * as SQL. Rows are data; only the client's statement is SQL.
 */
import { isUtf8 } from 'node:buffer';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'chdb';
import { quoteIdentifier } from '../../services/common/store/clickhouse-server-store.js';
import { ClickHouseException } from './clickhouse-exception.js';
import { loadNative, type NativeInsertResult, type NativeResult } from './chdb-native.js';

export interface EngineRequest {
  readonly sql: string;
  /** Output format when the SQL has no FORMAT clause (the HTTP `default_format`). */
  readonly format: string;
  readonly database: string;
  /** Settings for this request only, as text (URL parameters). */
  readonly settings: Readonly<Record<string, string>>;
  /** Query parameters in ClickHouse's text form, bound by the engine. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * Set when `sql` is an INSERT: the rows that follow its statement, as bytes (empty when the
   * statement holds its own). The engine reads them from a file, so binary formats arrive intact.
   */
  readonly insertRows?: Buffer;
}

export interface EngineResult {
  readonly output: Buffer;
  readonly rows: number;
  readonly bytes: number;
  readonly writtenRows: number;
  readonly writtenBytes: number;
  readonly elapsedNs: number;
}

export interface ChdbEngine {
  run(request: EngineRequest): Promise<EngineResult>;
  /** Waits for the running statement, then closes the session. */
  close(): Promise<void>;
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// The end of an INSERT whose rows follow it: its SETTINGS, if any, and its format.
const ROWS_FOLLOW = /(\s+SETTINGS\s[\s\S]*?)?\s+(?:FORMAT\s+(\w+)|(VALUES))\s*$/i;

/**
 * The INSERT `statement` reading its rows from `path`: `INSERT INTO t (a) FORMAT X` becomes
 * `INSERT INTO t (a) FROM INFILE 'path' FORMAT X`, with any SETTINGS kept after the file. Undefined
 * when the statement does not end where its rows begin (an INSERT … SELECT, or rows inline).
 */
export function insertFromFile(statement: string, path: string): string | undefined {
  const tail = ROWS_FOLLOW.exec(statement);
  if (!tail) return undefined;
  const head = statement.slice(0, tail.index);
  const format = tail[2] ?? 'Values';
  return `${head} FROM INFILE ${quoteString(path)} COMPRESSION 'none'${tail[1] ?? ''} FORMAT ${format}`;
}

function toResult(result: NativeResult): EngineResult {
  const bytes = result.bytes;
  return {
    output: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    rows: result.rowsRead ?? 0,
    bytes: result.bytesRead ?? 0,
    writtenRows: 0,
    writtenBytes: 0,
    elapsedNs: Math.round((result.elapsed ?? 0) * 1e9),
  };
}

function insertResult(result: NativeInsertResult): EngineResult {
  return {
    output: Buffer.alloc(0),
    rows: 0,
    bytes: 0,
    writtenRows: result.rowsWritten ?? 0,
    writtenBytes: result.bytesWritten ?? 0,
    elapsedNs: Math.round((result.elapsed ?? 0) * 1e9),
  };
}

// Rows read from the file are the rows written to the table named (the binding entry does not
// count what materialized views then write).
function boundInsertResult(result: NativeResult): EngineResult {
  return insertResult({
    elapsed: result.elapsed,
    rowsWritten: result.rowsRead,
    bytesWritten: result.bytesRead,
  });
}

/** The file in the data directory that holds the rows of the INSERT running. */
const ROWS_FILE = 'suyuan-insert-rows';

export function openChdbEngine(path: string): ChdbEngine {
  const native = loadNative();
  const session = new Session(path);
  // Inside the data directory the session holds alone: a killed server leaves nothing elsewhere,
  // and the next start on the same directory empties what the killed one was inserting.
  const rowsFile = join(path, ROWS_FILE);
  writeFileSync(rowsFile, '');
  const engineCall = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw ClickHouseException.fromEngine(error);
    }
  };
  const exec = (sql: string, format = 'TabSeparated', params?: EngineRequest['params']) =>
    engineCall(() => native.run(session, sql, format, params));

  const resetSettings = async (names: readonly string[]) => {
    try {
      await exec(`SET ${names.map((name) => `${name} = DEFAULT`).join(', ')}`);
    } catch {
      // One unknown name fails the whole SET; reset the others one by one.
      for (const name of names) await exec(`SET ${name} = DEFAULT`).catch(() => undefined);
    }
  };

  // What the session holds now, so a request changes only what differs from the last one: most
  // requests carry the same database and settings, and each extra statement costs a round trip
  // through the engine.
  let database: string | undefined;
  const applied = new Map<string, string>();

  const prepare = async (request: EngineRequest) => {
    if (request.database !== database) {
      database = undefined;
      await exec(`USE ${quoteIdentifier(request.database)}`);
      database = request.database;
    }
    const stale = [...applied.keys()].filter((name) => !(name in request.settings));
    if (stale.length > 0) {
      for (const name of stale) applied.delete(name);
      await resetSettings(stale);
    }
    const changed = Object.entries(request.settings).filter(
      ([name, value]) => applied.get(name) !== value,
    );
    if (changed.length > 0) {
      for (const [name] of changed) applied.delete(name);
      await exec(
        `SET ${changed.map(([name, value]) => `${name} = ${quoteString(value)}`).join(', ')}`,
      );
      for (const [name, value] of changed) applied.set(name, value);
    }
  };

  const runNow = async (request: EngineRequest): Promise<EngineResult> => {
    const bad = Object.keys(request.settings).find((name) => !SETTING_NAME.test(name));
    if (bad !== undefined) {
      throw ClickHouseException.of('UNKNOWN_SETTING', `Unknown setting '${bad}'`);
    }
    await prepare(request);
    // A statement that switches the database itself leaves the session elsewhere.
    if (/^\s*USE\b/i.test(request.sql)) database = undefined;
    const rows = request.insertRows;
    if (rows !== undefined) return insert(request, rows);
    return toResult(await exec(request.sql, request.format, request.params));
  };

  // One statement runs at a time, so one file holds the rows of the one INSERT running.
  const insert = async (request: EngineRequest, rows: Buffer): Promise<EngineResult> => {
    const fromFile = rows.length > 0 ? insertFromFile(request.sql, rowsFile) : undefined;
    if (rows.length > 0 && fromFile === undefined) {
      // Not rows but the rest of the statement (INSERT … SELECT), read as a server reads it.
      if (!isUtf8(rows)) {
        throw ClickHouseException.of(
          'NOT_IMPLEMENTED',
          'The request body is not UTF-8 text and the INSERT before it does not end with ' +
            'FORMAT <name> or VALUES, so the chDB HTTP endpoint cannot read it as rows',
        );
      }
      return toResult(
        await exec(`${request.sql}\n${rows.toString('utf8')}`, request.format, request.params),
      );
    }
    const sql = fromFile ?? request.sql;
    if (fromFile !== undefined) writeFileSync(rowsFile, rows);
    try {
      if (Object.keys(request.params).length > 0) {
        return boundInsertResult(await exec(sql, request.format, request.params));
      }
      return insertResult(await engineCall(() => native.insert(session, sql, Buffer.alloc(0))));
    } finally {
      if (fromFile !== undefined) writeFileSync(rowsFile, '');
    }
  };

  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(request) {
      const result = tail.then(() => runNow(request));
      tail = result.catch(() => undefined);
      return result;
    },
    async close() {
      await tail;
      session.close();
      rmSync(rowsFile, { force: true });
    },
  };
}
