import { setTimeout as sleep } from 'node:timers/promises';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hashApiKey } from '../access/api-keys.js';
import { SuyuanError } from '../errors.js';
import { bearerToken, requiresKey } from './authenticate.js';

export interface RateLimitOptions {
  /** Requests one API key (or one client address, without a key) may make per window. */
  readonly max: number;
  readonly windowMs: number;
  /**
   * Failed authentications one client address may make per window; past them, its requests to
   * keyed routes answer 429 before any key is looked up.
   */
  readonly authFailures: { readonly max: number; readonly windowMs: number };
  /**
   * Refused requests (`403`) one API key may make per window; past them, its requests answer 429
   * before any access is decided. Deciding a refusal costs what reading the batch's neighbours
   * costs, so without it one party's burst of refusals would take the thread from every other.
   */
  readonly refusals: { readonly max: number; readonly windowMs: number };
  /**
   * How long a `429` is held before it is sent: a client that ignores Retry-After and asks again at
   * once then costs a timer, not a request's work, and a flood from it cannot crowd out others.
   */
  readonly limitedHoldMs: number;
  /**
   * Requests one client address may make per window to the routes limited by address (the
   * public check), whatever key they carry; those routes then skip the per-key limit.
   */
  readonly perAddress?: { readonly max: number; readonly windowMs: number };
}

const UNLIMITED = new Set(['/healthz', '/readyz', '/metrics']);

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
type LimitState = Extract<Awaited<ReturnType<Limiter>>, { isAllowed: false }>;

/**
 * Three limits, all answered 429 with Retry-After, all checked before authentication so that a
 * flood costs no key lookups:
 *
 * - per key: the bucket is the key's identity (the hash of the parsed bearer token, as stored),
 *   so `bearer K`, `BEARER K` and `Bearer  K` share one budget; requests without a key share
 *   their client address's;
 * - per client address, for failed authentications: every 401 counts, and an address that has
 *   used its (smaller) allowance is refused at keyed routes until its window ends. Without it, a
 *   client would get a fresh per-key budget, and cost a lookup, with every key it made up;
 * - per key, for refusals: every 403 counts, and a key that has used its allowance is refused at
 *   keyed routes until its window ends, so a party probing batches beyond its reach costs the
 *   others at most its allowance of access decisions.
 *
 * Every 429 is held `limitedHoldMs` before it is sent, so a client past a limit that asks again
 * at once, on however many connections, waits instead of taking the thread.
 *
 * The client address is the connection's, or X-Forwarded-For's when the peer is a trusted proxy
 * (SUYUAN_TRUST_PROXY; the gateway sets the header).
 */
export async function installRateLimits(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<void> {
  await app.register(rateLimit, { global: false });
  const perKey: Limiter = app.createRateLimit({
    max: options.max,
    timeWindow: options.windowMs,
    keyGenerator: requestIdentity,
  });
  const failures: Limiter = app.createRateLimit({
    max: options.authFailures.max,
    timeWindow: options.authFailures.windowMs,
    keyGenerator: (request: FastifyRequest) => `auth-failures:${request.ip}`,
  });

  const refusals: Limiter = app.createRateLimit({
    max: options.refusals.max,
    timeWindow: options.refusals.windowMs,
    keyGenerator: (request: FastifyRequest) => `refusals:${requestIdentity(request)}`,
  });

  const addressWindow = options.perAddress;
  const perAddress: Limiter | undefined = addressWindow
    ? app.createRateLimit({
        max: addressWindow.max,
        timeWindow: addressWindow.windowMs,
        keyGenerator: (request: FastifyRequest) => `address:${request.ip}`,
      })
    : undefined;

  /** The 429 to throw, once held: a client past a limit that asks again at once only waits. */
  const refuse = async (reply: FastifyReply, state: LimitState, message: string) => {
    retryAfter(reply, state);
    if (options.limitedHoldMs > 0) await sleep(options.limitedHoldMs);
    return new SuyuanError('rate_limited', message);
  };

  app.addHook('onRequest', async (request, reply) => {
    if (UNLIMITED.has(request.url.split('?')[0] ?? '')) return;
    if (perAddress && addressWindow && request.routeOptions.config.limitedByAddress) {
      const used = await perAddress(request);
      if (used.isAllowed || !used.isExceeded) return;
      throw await refuse(
        reply,
        used,
        `rate limit: at most ${used.max} checks per ${seconds(addressWindow.windowMs)} from one client address; retry later`,
      );
    }
    if (requiresKey(request)) {
      const failed = await failures(request, { increment: false });
      if (!failed.isAllowed && failed.remaining <= 0) {
        throw await refuse(
          reply,
          failed,
          `rate limit: at most ${failed.max} failed authentications per ${seconds(options.authFailures.windowMs)} from one address; retry later`,
        );
      }
      const refused = await refusals(request, { increment: false });
      if (!refused.isAllowed && refused.remaining <= 0) {
        throw await refuse(
          reply,
          refused,
          `rate limit: at most ${refused.max} refused requests (403) per ${seconds(options.refusals.windowMs)} for one API key; retry later`,
        );
      }
    }
    const used = await perKey(request);
    if (used.isAllowed) return;
    void reply.header('x-ratelimit-limit', String(used.max));
    void reply.header('x-ratelimit-remaining', String(used.remaining));
    void reply.header('x-ratelimit-reset', String(used.ttlInSeconds));
    if (used.isExceeded) {
      throw await refuse(
        reply,
        used,
        `rate limit: at most ${used.max} requests per ${seconds(options.windowMs)} for one API key; retry later`,
      );
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401) await failures(request);
    if (reply.statusCode === 403 && requiresKey(request)) await refusals(request);
  });
}

const identities = new WeakMap<FastifyRequest, string>();

/**
 * The bucket of a request: its key's identity, or its client address when it has no key. Worked
 * out once per request, for the two limits that count by it.
 */
export function requestIdentity(request: FastifyRequest): string {
  const known = identities.get(request);
  if (known !== undefined) return known;
  const token = bearerToken(request.headers.authorization);
  const identity = token ? `key:${hashApiKey(token)}` : `ip:${request.ip}`;
  identities.set(request, identity);
  return identity;
}

function retryAfter(reply: FastifyReply, state: LimitState): void {
  void reply.header('retry-after', String(Math.max(state.ttlInSeconds, 1)));
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
