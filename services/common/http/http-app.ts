import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PartyDirectory } from '../access/party-directory.js';
import type { SubscriptionState } from '../log/event-log.js';
import type { Logger } from '../logger.js';
import { installAuthentication } from './authenticate.js';
import { frameworkErrors, installErrorHandler } from './error-handler.js';
import { installOpenApi } from './openapi.js';
import { defineOperation, mountOperation } from './operations.js';
import { installRateLimits, type RateLimitOptions } from './rate-limit.js';
import { installRequestBody } from './request-body.js';

/** A dependency `/readyz` checks: the log, the store. */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => Promise<void>;
}

/** A log consumer of the process, whose state `/readyz` shows. */
export interface ConsumerReadiness {
  readonly group: string;
  state(): SubscriptionState | 'stopped';
}

export interface HttpAppDeps {
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly parties: PartyDirectory;
  readonly readiness: readonly ReadinessCheck[];
  /** Per-key and failed-authentication limits; none without. */
  readonly rateLimit?: RateLimitOptions;
  /** Peers whose X-Forwarded-For names the client (Fastify's `trustProxy`); none without. */
  readonly trustProxy?: string;
  readonly consumers?: readonly ConsumerReadiness[];
}

const readiness = z.strictObject({
  status: z.enum(['ready', 'unavailable']),
  checks: z.array(
    z.strictObject({ name: z.string(), ok: z.boolean(), error: z.string().optional() }),
  ),
  /** Each log consumer of the process by its group, in a process that runs any. */
  consumers: z.record(z.string(), z.enum(['joining', 'consuming', 'failed', 'stopped'])).optional(),
});

const healthz = defineOperation({
  method: 'GET',
  url: '/healthz',
  operationId: 'getHealth',
  summary: 'Liveness (no API key)',
  tag: 'probes',
  public: true,
  answers: { 200: { description: 'Alive', schema: z.strictObject({ status: z.literal('ok') }) } },
});

const readyz = defineOperation({
  method: 'GET',
  url: '/readyz',
  operationId: 'getReadiness',
  summary:
    'Readiness: the log and the store answer, and no consumer of this process is stalled or failed (no API key)',
  tag: 'probes',
  public: true,
  answers: {
    200: {
      description:
        'Ready; `consumers` says whether each log consumer is `joining` its group or `consuming`',
      schema: readiness,
    },
    503: {
      description:
        'Not ready; `checks` says which dependency failed, or which consumer is stalled and why; ' +
        '`consumers` which consumer `failed`',
      schema: readiness,
    },
  },
});

/**
 * The longest path parameter the router takes, in characters after percent-decoding: any valid id
 * (at most 128 characters) fits; beyond it the answer is 414.
 */
export const MAX_PATH_PARAMETER_LENGTH = 512;

/**
 * The Fastify instance every service starts from: one error handler, JSON bodies in UTF-8 only,
 * API-key authentication, the OpenAPI document, the health and readiness probes. Services add
 * their routes; the launcher listens.
 */
export async function createHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  // Typed as Fastify's logger so the instance is the plain FastifyInstance that routes take.
  const loggerInstance: FastifyBaseLogger = deps.logger.child({ component: 'http' });
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: deps.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    frameworkErrors,
    ...(deps.trustProxy ? { trustProxy: deps.trustProxy } : {}),
  });
  // Route schemas only document (OpenAPI). Handlers validate with zod so that a refusal names
  // the field, and answers are serialised as they are; a schema never changes behaviour.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request done',
    );
  });
  installErrorHandler(app);
  installRequestBody(app);
  // Before authentication, so that a flood is refused without a key lookup.
  if (deps.rateLimit) await installRateLimits(app, deps.rateLimit);
  installAuthentication(app, deps.parties);
  await installOpenApi(app);
  mountOperation(app, healthz, () => ({ status: 'ok' }));
  mountOperation(app, readyz, async ({ reply }) => {
    const results = await Promise.all(
      deps.readiness.map(async ({ name, check }) => {
        try {
          await check();
          return { name, ok: true };
        } catch (err) {
          return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    // A consumer still joining its group does not make the service unready: its routes read the
    // store and answer meanwhile, and taking it out of rotation would only turn them into 503s.
    // One that failed for good does.
    const consumers = Object.fromEntries(
      (deps.consumers ?? []).map((consumer) => [consumer.group, consumer.state()]),
    );
    const ready =
      results.every((result) => result.ok) &&
      Object.values(consumers).every((state) => state !== 'failed');
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'unavailable',
      checks: results,
      ...(deps.consumers?.length ? { consumers } : {}),
    });
  });
  return app;
}
