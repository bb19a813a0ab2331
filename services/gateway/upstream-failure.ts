/**
 * What the gateway answers when a service behind it gives no answer — it is down, restarting, or
 * too slow: `503 unavailable` (with Retry-After, from the error handler), naming the service but
 * never its address, which is internal. The message says whether the request may have reached the
 * service, so that a client knows whether sending it again is safe.
 */
import { SuyuanError } from '../common/errors.js';

/** The services behind the gateway, as clients see them named. */
export type UpstreamService = 'ingest' | 'trace-api' | 'recall';

/** No connection was made, so the request cannot have reached the service. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The service took the request and did not answer in time; it may still be working on it. */
const NO_ANSWER_IN_TIME = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'FST_REPLY_FROM_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'FST_REPLY_FROM_HTTP_REQUEST_TIMEOUT',
]);

/** Methods that only read: sending them again changes nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The `code` of an error and of each error in its `cause` chain, outermost first. */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = current.cause;
  }
  return codes;
}

const duration = (ms: number) => (ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 1_000)} s`);

/** Whether sending the request again is safe, said for this request. */
function retryAdvice(method: string, path: string): string {
  if (SAFE_METHODS.has(method)) return 'Sending it again is safe: it only reads.';
  if (method === 'POST' && path === '/v1/events') {
    return (
      'Sending the same request again is safe: each event is stored once under its eventId, ' +
      'and one already stored answers "duplicate".'
    );
  }
  return 'Check whether it took effect before sending it again.';
}

/**
 * The error for a request to `service` that got no answer because of `error` (whatever the proxy
 * reports: a refused or reset connection, a socket closed mid-request, a timeout).
 */
export function upstreamFailure(
  service: UpstreamService,
  request: { readonly method: string; readonly url: string },
  error: unknown,
  timeoutMs: number,
): SuyuanError {
  const codes = codesOf(error);
  const method = request.method.toUpperCase();
  const path = request.url.split('?')[0] ?? '';
  const name = `the ${service} service`;
  let message: string;
  if (codes.some((code) => NOT_CONNECTED.has(code))) {
    message =
      `${name} is not reachable (down or restarting); the request did not reach it, so ` +
      'sending it again is safe.';
  } else if (codes.some((code) => NO_ANSWER_IN_TIME.has(code))) {
    message =
      `${name} did not answer within ${duration(timeoutMs)}; it may have received ` +
      `the request and may still complete it. ${retryAdvice(method, path)}`;
  } else {
    message =
      `the connection to ${name} dropped before it answered (it may have stopped); it may have ` +
      `received the request. ${retryAdvice(method, path)}`;
  }
  return new SuyuanError('unavailable', message, { cause: error });
}
