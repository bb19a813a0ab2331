/**
 * Runs SQL on a chDB session with query parameters bound exactly as a ClickHouse server binds them.
 *
 * chDB's public binder (`Session.queryBindAsync`) takes JavaScript values and escapes strings
 * itself. The HTTP interface receives parameters already in ClickHouse's text form (the client
 * sends `param_ids=['a\'b','c']`), so re-escaping would change what they mean. chDB's native addon
 * takes that text form as it is (`{ name: text }`, bound by the engine), so this module calls it
 * through chDB's own loader, and fails at once, naming the chDB version, if an upgrade changed it.
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

interface NativeAddon {
  QueryAsyncConnection(
    connection: unknown,
    sql: string,
    format: string,
    params?: Readonly<Record<string, string>>,
  ): Promise<NativeResult>;
}

export function loadRunNative(): RunNative {
  const require = createRequire(import.meta.url);
  const chdbMain = require.resolve('chdb');
  const chdbRequire = createRequire(chdbMain);
  const { version } = chdbRequire('./package.json') as { version: string };
  const loader = chdbRequire('./dist/loader.js') as { loadNative?: () => Partial<NativeAddon> };
  const addon = loader.loadNative?.();
  const query = addon?.QueryAsyncConnection;
  if (typeof query !== 'function') {
    throw new Error(
      `chdb ${version}: the native addon has no QueryAsyncConnection(connection, sql, format, params); ` +
        'the chDB HTTP endpoint was written against chdb 3.4 and must be adapted to this version',
    );
  }
  return (session, sql, format, params) =>
    params && Object.keys(params).length > 0
      ? query.call(addon, session.connection, sql, format, params)
      : query.call(addon, session.connection, sql, format);
}
