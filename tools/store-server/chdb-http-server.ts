/**
 * The ClickHouse HTTP interface over chDB, for machines without a ClickHouse server (development,
 * and CI on this machine, where no ClickHouse server can be installed). chDB binds one data
 * directory per process, so in distributed mode one process owns it and serves it here; the
 * services reach it with the same @clickhouse/client adapter they use against a real server.
 * Production runs a real ClickHouse server instead.
 *
 * It answers what @clickhouse/client sends: POST / with the SQL in the body or in `query` (INSERT
 * rows in the body), `param_<name>`, settings as URL parameters, GET /ping, GET /?query=…,
 * gzip/deflate/br request bodies, compressed responses when `enable_http_compression=1`, Basic
 * auth or X-ClickHouse-User/Key. Errors carry the server's `Code: N. DB::Exception` text and
 * `X-ClickHouse-Exception-Code`; what it cannot do (lz4 or zstd bodies, ClickHouse's compressed
 * blocks) answers NOT_IMPLEMENTED naming it. Results are buffered, not streamed. Insert rows may be
 * in any format, binary ones included; `X-ClickHouse-Summary` reports the rows an INSERT wrote
 * (not for an INSERT with query parameters, which the engine runs as a query). HTTP sessions
 * (`session_id`) are accepted and not kept.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { brotliCompress, deflate, gzip } from 'node:zlib';
import type { Logger } from '../../services/common/logger.js';
import { openChdbEngine, type EngineResult } from './chdb-engine.js';
import { ClickHouseException } from './clickhouse-exception.js';
import {
  credentialsOf,
  parseRequest,
  readBody,
  type ClickHouseHttpRequest,
} from './http-request.js';

export interface ChdbHttpServerOptions {
  /** chDB's data directory; created when missing. */
  readonly dataDir: string;
  /** When set, every query must present these (like a server user with a password). */
  readonly credentials?: { readonly username: string; readonly password: string };
  readonly logger: Logger;
}

export interface ChdbHttpServer {
  /** Starts listening; resolves with the base URL (port 0 picks a free port). */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

// A server accepts URLs up to http_max_uri_size (1 MiB): long parameter lists travel in the URL.
const MAX_URL_BYTES = 1024 * 1024;

const COMPRESSORS: Record<string, (body: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gzip),
  deflate: promisify(deflate),
  br: promisify(brotliCompress),
};

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function summaryOf(result: EngineResult): string {
  return JSON.stringify({
    read_rows: String(result.rows),
    read_bytes: String(result.bytes),
    written_rows: String(result.writtenRows),
    written_bytes: String(result.writtenBytes),
    total_rows_to_read: '0',
    result_rows: String(result.rows),
    result_bytes: String(result.output.length),
    elapsed_ns: String(result.elapsedNs),
  });
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8' });
  response.end(text);
}

async function sendResult(
  request: IncomingMessage,
  response: ServerResponse,
  parsed: ClickHouseHttpRequest,
  queryId: string,
  result: EngineResult,
): Promise<void> {
  const accepted = (request.headers['accept-encoding'] ?? '').toLowerCase();
  const encoding = parsed.compressResponse
    ? Object.keys(COMPRESSORS).find((name) => accepted.includes(name))
    : undefined;
  const compress = encoding ? COMPRESSORS[encoding] : undefined;
  const body = compress && result.output.length > 0 ? await compress(result.output) : result.output;
  response.writeHead(200, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Query-Id': queryId,
    'X-ClickHouse-Timezone': 'UTC',
    'X-ClickHouse-Summary': summaryOf(result),
    ...(compress && body !== result.output ? { 'Content-Encoding': encoding } : {}),
  });
  response.end(body);
}

const EMPTY_RESULT: EngineResult = {
  output: Buffer.alloc(0),
  rows: 0,
  bytes: 0,
  writtenRows: 0,
  writtenBytes: 0,
  elapsedNs: 0,
};

export function createChdbHttpServer(options: ChdbHttpServerOptions): ChdbHttpServer {
  mkdirSync(options.dataDir, { recursive: true });
  const engine = openChdbEngine(options.dataDir);
  const logger = options.logger;

  const authenticate = (url: URL, request: IncomingMessage) => {
    const expected = options.credentials;
    if (!expected) return;
    const given = credentialsOf(url, request.headers);
    if (given.username !== expected.username || !sameSecret(given.password, expected.password)) {
      throw ClickHouseException.of(
        'AUTHENTICATION_FAILED',
        `${given.username}: Authentication failed: password is incorrect, or there is no user with such name`,
      );
    }
  };

  const runQuery = async (url: URL, request: IncomingMessage, response: ServerResponse) => {
    authenticate(url, request);
    const parsed = parseRequest(url, await readBody(request), request.headers);
    const queryId = parsed.queryId || randomUUID();
    const result =
      parsed.insertsNothing || parsed.setsNothing ? EMPTY_RESULT : await engine.run(parsed);
    logger.debug({ queryId, rows: result.rows }, 'query answered');
    await sendResult(request, response, parsed, queryId, result);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (url.pathname === '/ping' && (method === 'GET' || method === 'HEAD')) {
      return sendText(response, 200, 'Ok.\n');
    }
    if (url.pathname !== '/') {
      return sendText(response, 404, `There is no handle ${url.pathname}\n`);
    }
    if (method === 'GET' && !url.searchParams.has('query')) return sendText(response, 200, 'Ok.\n');
    if (method !== 'GET' && method !== 'POST') {
      return sendText(response, 405, `HTTP method ${method} is not allowed\n`);
    }
    await runQuery(url, request, response);
  };

  const server = createServer({ maxHeaderSize: MAX_URL_BYTES }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      const exception = ClickHouseException.fromEngine(error);
      if (exception.code === 1001) logger.error({ err: error }, 'chdb http request failed');
      else logger.debug({ code: exception.code, error: exception.text }, 'query failed');
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(exception.status, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Exception-Code': String(exception.code),
      });
      response.end(`${exception.text}\n`);
    });
  });

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      });
    },
    async close() {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
    },
  };
}
