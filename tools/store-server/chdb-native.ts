/**
 * Runs SQL on a chDB session with query parameters bound exactly as a ClickHouse server binds them,
 * and runs INSERTs with their rows as bytes.
 *
 * chDB's public binder (`Session.queryBindAsync`) takes JavaScript values and escapes strings
 * itself. The HTTP interface receives parameters already in ClickHouse's text form (the client
 * sends `param_ids=['a\'b','c']`), so re-escaping would change what they mean. chDB's native addon
 * takes that text form as it is (`{ name: text }`, bound by the engine), so this module calls it
 * through chDB's own loader, and fails at once, naming the chDB version, if an upgrade changed it.
 *
 * Rows sent after an INSERT's statement may be binary (Native, RowBinary, Parquet …), which no SQL
 * string carries intact. The addon's raw insert entry takes them as a Buffer after the statement,
 * and reports the rows and bytes written (chDB's public `insert()` allows only text formats).
 */
import { createRequire } from 'node:module';
import type { Session } from 'chdb';

export interface NativeResult {
  readonly bytes: Uint8Array;
  readonly elapsed?: number;
  readonly rowsRead?: number;
  readonly bytesRead?: number;
}

/** Runs `sql` with `format` as the output format when the SQL names none. */
export type RunNative = (
  session: Session,
  sql: string,
  format: string,
  params?: Readonly<Record<string, string>>,
) => Promise<NativeResult>;

export interface NativeInsertResult {
  readonly elapsed?: number;
  readonly rowsWritten?: number;
  readonly bytesWritten?: number;
}

/** Runs the INSERT `statement` with `rows` (its data, any format) following it. */
export type InsertNative = (
  session: Session,
  statement: string,
  rows: Buffer,
) => Promise<NativeInsertResult>;

interface NativeAddon {
  QueryAsyncConnection(
    connection: unknown,
    sql: string,
    format: string,
    params?: Readonly<Record<string, string>>,
  ): Promise<NativeResult>;
  InsertRawAsyncConnection(
    connection: unknown,
    statement: string,
    rows: Buffer,
    countLines: boolean,
  ): Promise<NativeInsertResult>;
}

function loadAddon(): NativeAddon {
  const require = createRequire(import.meta.url);
  const chdbMain = require.resolve('chdb');
  const chdbRequire = createRequire(chdbMain);
  const { version } = chdbRequire('./package.json') as { version: string };
  const loader = chdbRequire('./dist/loader.js') as { loadNative?: () => Partial<NativeAddon> };
  const addon = loader.loadNative?.();
  const missing = [
    ['QueryAsyncConnection', '(connection, sql, format, params)'],
    ['InsertRawAsyncConnection', '(connection, statement, rows, countLines)'],
  ].find(([name]) => typeof addon?.[name as keyof NativeAddon] !== 'function');
  if (missing) {
    throw new Error(
      `chdb ${version}: the native addon has no ${missing.join('')}; ` +
        'the chDB HTTP endpoint was written against chdb 3.4 and must be adapted to this version',
    );
  }
  return addon as NativeAddon;
}

export function loadNative(): { run: RunNative; insert: InsertNative } {
  const addon = loadAddon();
  return {
    run: (session, sql, format, params) =>
      params && Object.keys(params).length > 0
        ? addon.QueryAsyncConnection(session.connection, sql, format, params)
        : addon.QueryAsyncConnection(session.connection, sql, format),
    insert: (session, statement, rows) =>
      addon.InsertRawAsyncConnection(session.connection, statement, rows, false),
  };
}
