/**
 * Reads a ClickHouse HTTP request the way the server reads it: the SQL from the `query` URL
 * parameter and/or the body (concatenated with a line feed, so an INSERT's rows follow its
 * statement), `param_<name>` query parameters, `database`, `default_format`, and every other URL
 * parameter as a setting for this request. A multipart/form-data body (what @clickhouse/client
 * sends with `use_multipart_params`) carries `query` and `param_<name>` as form fields.
 */
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
]);
const UNSUPPORTED = ['session_id', 'compress', 'decompress'];

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
    if (UNSUPPORTED.includes(name) && value !== '' && value !== '0') {
      throw ClickHouseException.of(
        'NOT_IMPLEMENTED',
        `${name} is not supported by the chDB HTTP endpoint`,
      );
    }
    if (name.startsWith('param_')) params[name.slice('param_'.length)] = value;
    else if (!NOT_SETTINGS.has(name) && !UNSUPPORTED.includes(name)) settings[name] = value;
  }
  return { settings, params };
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
  const text = form ? '' : body.toString('utf8');
  const urlQuery = form ? form.get('query') : (url.searchParams.get('query') ?? undefined);
  const sql = sqlOf(urlQuery, text);
  if (sql.trim().length === 0) throw ClickHouseException.of('SYNTAX_ERROR', 'Empty query');
  return {
    sql,
    format: url.searchParams.get('default_format') || 'TabSeparated',
    database: url.searchParams.get('database') || 'default',
    settings,
    params,
    queryId: url.searchParams.get('query_id') ?? undefined,
    compressResponse: url.searchParams.get('enable_http_compression') === '1',
    insertsNothing:
      text.trim().length === 0 &&
      /^\s*INSERT\b[\s\S]*\bFORMAT\s+\w+\s*$/i.test(urlQuery ?? '') &&
      !form,
    setsNothing: /^\s*SET\s[^;]*;?\s*$/i.test(sql),
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
