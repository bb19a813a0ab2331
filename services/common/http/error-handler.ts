import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, isSuyuanError, SuyuanError, type ErrorCode } from '../errors.js';

/**
 * The one place where errors become HTTP answers: `{ error, message, details? }`. Server errors
 * are logged with their cause and answered without internals. Fastify's own refusals (a body too
 * large, a media type it has no parser for, a path it cannot route) get the same shape.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = isSuyuanError(error) ? error : fromFastify(error);
    if (known) return sendError(reply, known);
    const status = error.statusCode ?? 500;
    // A plugin's client error of a status no code names (416 from static files, say).
    if (status < 500)
      return reply.status(status).send({ error: 'invalid_request', message: error.message });
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
  installMethodNotAllowed(app);
}

/** Sends a SuyuanError as the API's error answer. */
export function sendError(reply: FastifyReply, error: SuyuanError): FastifyReply {
  const status = ERROR_CODES[error.code].status;
  // An event no checkpoint covers yet is a state clients poll through, not a failure.
  if (status >= 500 && error.code !== 'not_checkpointed') {
    reply.request.log.error({ err: error }, 'request failed');
  }
  if (error.retryable && !reply.hasHeader('retry-after')) void reply.header('retry-after', '1');
  return reply.status(status).send({
    error: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
  });
}

/**
 * Errors Fastify's router raises before any route or hook runs (Fastify's `frameworkErrors`
 * option): a path parameter longer than the router's limit, a path that is not valid
 * percent-encoding. Without this they would be answered in Fastify's own shape.
 */
export function frameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  void sendError(reply, fromFastify(error) ?? new SuyuanError('internal', 'internal error'));
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A path that exists under other methods answers 405 with `Allow`, not 404. It runs before the
 * body is read, so a method Fastify would parse a body for (QUERY) gets 405 too.
 */
function installMethodNotAllowed(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?')[0] ?? '';
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length === 0) return;
    void reply.header('allow', allowed.join(', '));
    throw new SuyuanError(
      'method_not_allowed',
      `method: ${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
    );
  });
}

/** Fastify's client errors as ours; undefined for a server error or a status no code names. */
function fromFastify(error: FastifyError): SuyuanError | undefined {
  const status = error.statusCode ?? 500;
  if (status >= 500) return undefined;
  const as = (code: ErrorCode, message: string) => new SuyuanError(code, message, { cause: error });
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return as('invalid_request', `body: not valid JSON (${error.message})`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_TYPE':
      return as('unsupported_media_type', 'content-type: must be application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return as('payload_too_large', 'body: larger than the limit of this server');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return as('uri_too_long', 'path: a path parameter is longer than this server accepts');
    case 'FST_ERR_BAD_URL':
      return as('invalid_request', 'path: not valid percent-encoding');
    default:
      break;
  }
  // zlib's codes: a Content-Encoding body that does not decode.
  if (error.code?.startsWith('Z_')) {
    return as('invalid_request', `body: not valid compressed data (${error.message})`);
  }
  const code = CODE_BY_STATUS.get(status);
  return code === undefined ? undefined : as(code, error.message);
}

/** The code of each client-error status; 400 is `invalid_request`. */
const CODE_BY_STATUS: ReadonlyMap<number, ErrorCode> = new Map(
  (Object.entries(ERROR_CODES) as [ErrorCode, { status: number }][])
    .filter(([code, { status }]) => status >= 400 && status < 500 && code !== 'invalid_event')
    .map(([code, { status }]) => [status, code]),
);
