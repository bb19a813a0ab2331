import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SuyuanError } from '../errors.js';

export interface RateLimitOptions {
  /** Requests one API key may make per window. */
  readonly max: number;
  readonly windowMs: number;
}

const UNLIMITED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Per-key rate limits: 429 with Retry-After. The bucket is the (hashed) bearer key, so each key
 * has its own budget; requests without a key share their address's budget. The limit applies
 * before authentication, so a flood of bad keys costs no store lookups.
 */
export async function installRateLimit(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: options.max,
    timeWindow: options.windowMs,
    allowList: (request: FastifyRequest) => UNLIMITED.has(request.url.split('?')[0] ?? ''),
    keyGenerator: (request: FastifyRequest) => {
      const header = request.headers.authorization;
      return header
        ? `key:${createHash('sha256').update(header).digest('hex')}`
        : `ip:${request.ip}`;
    },
    // Thrown, so the one error handler answers it; the plugin has set Retry-After already.
    errorResponseBuilder: (_request, context) =>
      new SuyuanError(
        'rate_limited',
        `rate limit: at most ${context.max} requests per ${context.after} for one API key; retry later`,
      ),
  });
}
