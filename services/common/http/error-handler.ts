import type { FastifyError, FastifyInstance } from 'fastify';
import { ERROR_CODES, isSuyuanError } from '../errors.js';

/**
 * The one place where errors become HTTP answers: `{ error, message, details? }`. Server errors
 * are logged with their cause and answered without internals.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isSuyuanError(error)) {
      const status = ERROR_CODES[error.code].status;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      if (error.retryable && !reply.hasHeader('retry-after')) void reply.header('retry-after', '1');
      return reply.status(status).send({
        error: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return reply
        .status(status)
        .send({ error: clientErrorCode(error), message: clientMessage(error) });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}

function clientErrorCode(error: FastifyError): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'payload_too_large';
  if (error.validation) return 'invalid_request';
  return 'invalid_request';
}

function clientMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return `body: not valid JSON (${error.message})`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'content-type: must be application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body: larger than the limit of this server';
    default:
      return error.message;
  }
}
