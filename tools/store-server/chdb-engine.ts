/**
 * chDB as the engine behind the ClickHouse HTTP endpoint: one session on the data directory, one
 * statement at a time (chDB's parameter binding is not safe under concurrency), and per-request
 * database and settings, as a ClickHouse server gives each HTTP request without a session.
 *
 * chDB keeps `SET` values process-wide, not per connection, so each request's settings are set
 * before its statement, and those the previous request had but this one does not are put back to
 * their defaults.
 */
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
   * Set when `sql` is an INSERT without parameters: the rows that follow its statement, as bytes
   * (empty when the statement holds its own). Such a statement runs through the engine's insert
   * entry, which takes binary formats intact and counts what it wrote.
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

export function openChdbEngine(path: string): ChdbEngine {
  const native = loadNative();
  const session = new Session(path);
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
    if (rows !== undefined) {
      return insertResult(await engineCall(() => native.insert(session, request.sql, rows)));
    }
    return toResult(await exec(request.sql, request.format, request.params));
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
    },
  };
}
