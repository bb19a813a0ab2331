/**
 * Reads a ClickHouse HTTP request the way the server reads it: the SQL from the `query` URL
 * parameter and/or the body (concatenated with a line feed, so an INSERT's rows follow its
 * statement), `param_<name>` query parameters, `database`, `default_format`, and every other URL
 * parameter as a setting for this request. A multipart/form-data body (what @clickhouse/client
 * sends with `use_multipart_params`) carries `query` and `param_<name>` as form fields.
 *
 * An INSERT's rows stay bytes (they may be Native, RowBinary, Parquet …), whether its statement
 * comes in the URL or on the body's first line; other SQL in the body must be UTF-8 text. An HTTP
 * session (`session_id`, which clickhouse-connect sends by default) is accepted and not kept: each
 * request stands alone, so a bare SET changes nothing.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { ClickHouseException } from './clickhouse-exception.js';
import type { EngineRequest } from './chdb-engine.js';

export interface ClickHouseHttpRequest extends EngineRequest {
  readonly queryId: string | undefined;
  /** `enable_http_compression=1`: the response may be compressed as Accept-Encoding allows. */
  readonly compressResponse: boolean;
  /** An INSERT … FORMAT X with no rows: a server inserts nothing and succeeds. */
  readonly insertsNothing: boolean;
  /** A bare SET: without an HTTP session a server applies it to nothing. */
  readonly setsNothing: boolean;
}

// URL parameters the HTTP layer consumes, so they are not applied as settings.
const NOT_SETTINGS = new Set([
  'query',
  'query_id',
  'database',
  'default_format',
  'user',
  'password',
  'quota_key',
  'role',
  'buffer_size',
  'stacktrace',
  'wait_end_of_query',
  'enable_http_compression',
  'http_zlib_compression_level',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_response_buffer_size',
  'http_native_compression_disable_checksumming_on_decompress',
  'client_protocol_version',
  'session_id',
  'session_timeout',
  'session_check',
]);
// What the endpoint cannot do when these are on, named in the NOT_IMPLEMENTED it answers.
const UNSUPPORTED: Readonly<Record<string, string>> = {
  compress: "responses in ClickHouse's compressed-block format (compress=1)",
  decompress: "request bodies in ClickHouse's compressed-block format (decompress=1)",
};
const INSERT = /^\s*INSERT\b/i;

const DECOMPRESSORS: Record<string, (body: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (!encoding || encoding === 'identity' || body.length === 0) return body;
  const decompress = DECOMPRESSORS[encoding];
  if (!decompress) {
    throw ClickHouseException.of(
      'NOT_IMPLEMENTED',
      `Content-Encoding ${encoding} is not supported by the chDB HTTP endpoint (gzip, deflate, br are)`,
    );
  }
  return decompress(body);
}

/** Form fields of a multipart/form-data body, by name. */
function formFields(body: string, contentType: string): Map<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const marker = `--${boundary?.[1] ?? boundary?.[2] ?? ''}`;
  const fields = new Map<string, string>();
  for (const part of body.split(marker).slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    const name = /name="([^"]*)"/i.exec(part.slice(0, headerEnd))?.[1];
    if (headerEnd < 0 || name === undefined) continue;
    fields.set(name, part.slice(headerEnd + 4).replace(/\r\n$/, ''));
  }
  return fields;
}

function sqlOf(urlQuery: string | undefined, body: string): string {
  if (urlQuery === undefined || urlQuery.length === 0) return body;
  return body.length === 0 ? urlQuery : `${urlQuery}\n${body}`;
}

function settingsAndParams(fields: ReadonlyArray<[string, string]>) {
  const settings: Record<string, string> = {};
  const params: Record<string, string> = {};
  for (const [name, value] of fields) {
    const unsupported = UNSUPPORTED[name];
    if (unsupported !== undefined && value !== '' && value !== '0') {
      throw ClickHouseException.of(
        'NOT_IMPLEMENTED',
        `${unsupported} is not supported by the chDB HTTP endpoint (use Content-Encoding and enable_http_compression=1 with gzip, deflate or br)`,
      );
    }
    if (name.startsWith('param_')) params[name.slice('param_'.length)] = value;
    else if (!NOT_SETTINGS.has(name) && unsupported === undefined) settings[name] = value;
  }
  return { settings, params };
}

/**
 * The statement, and for an INSERT the bytes after it, which the engine reads as its rows. The
 * request's text is the URL query, a line feed and the body (as a server reads it), so it is cut
 * at that line feed, or at the body's first one when the statement comes in the body: the engine
 * then reads exactly the bytes sent, binary rows included, where a string would have mangled them.
 */
function statementOf(
  urlQuery: string | undefined,
  body: Buffer,
  form: boolean,
): { sql: string; insertRows?: Buffer } {
  if (!form && urlQuery !== undefined && INSERT.test(urlQuery)) {
    return { sql: urlQuery, insertRows: body };
  }
  if (!form && urlQuery === undefined) {
    const lineEnd = body.indexOf(0x0a);
    const firstLine = lineEnd < 0 ? body : body.subarray(0, lineEnd);
    if (isUtf8(firstLine) && INSERT.test(firstLine.toString('utf8'))) {
      const rest = lineEnd < 0 ? Buffer.alloc(0) : body.subarray(lineEnd + 1);
      return { sql: firstLine.toString('utf8'), insertRows: rest };
    }
  }
  if (!form && !isUtf8(body)) {
    throw ClickHouseException.of(
      'NOT_IMPLEMENTED',
      'The request body is not UTF-8 text: the chDB HTTP endpoint takes binary data only as the ' +
        'rows of an INSERT without query parameters (INSERT INTO … FORMAT Native, RowBinary, …)',
    );
  }
  const sql = sqlOf(urlQuery, form ? '' : body.toString('utf8'));
  if (sql.trim().length === 0) throw ClickHouseException.of('SYNTAX_ERROR', 'Empty query');
  return { sql };
}

function isBlank(body: Buffer): boolean {
  return body.every((byte) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d));
}

export function parseRequest(
  url: URL,
  body: Buffer,
  headers: IncomingHttpHeaders,
): ClickHouseHttpRequest {
  const contentType = headers['content-type'] ?? '';
  const form = /^multipart\/form-data/i.test(contentType)
    ? formFields(body.toString('utf8'), contentType)
    : undefined;
  const { settings, params } = settingsAndParams([...url.searchParams, ...(form ?? [])]);
  const urlQuery = (form ? form.get('query') : url.searchParams.get('query')) || undefined;
  const statement = statementOf(urlQuery, body, form !== undefined);
  return {
    ...statement,
    format: url.searchParams.get('default_format') || 'TabSeparated',
    database: url.searchParams.get('database') || 'default',
    settings,
    params,
    queryId: url.searchParams.get('query_id') ?? undefined,
    compressResponse: url.searchParams.get('enable_http_compression') === '1',
    insertsNothing:
      !form && /^\s*INSERT\b[\s\S]*\bFORMAT\s+\w+\s*$/i.test(urlQuery ?? '') && isBlank(body),
    setsNothing: /^\s*SET\s[^;]*;?\s*$/i.test(statement.sql),
  };
}

/** The user and password a request presents: Basic auth, X-ClickHouse-User/Key, or URL. */
export function credentialsOf(
  url: URL,
  headers: IncomingHttpHeaders,
): { username: string; password: string } {
  const basic = /^Basic\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0
      ? { username: decoded, password: '' }
      : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    username: header('x-clickhouse-user') ?? url.searchParams.get('user') ?? 'default',
    password: header('x-clickhouse-key') ?? url.searchParams.get('password') ?? '',
  };
}
