/**
 * The gateway: the one public address of the distributed platform. It routes by path — events,
 * parties and keys to ingest; recalls and notices to the recall service; everything else (batches,
 * traces, search, audit, the console, the API document) to the trace API — and has its own probes:
 * /readyz is ready only when every upstream is.
 */
import proxy from '@fastify/http-proxy';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseEnvironment } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import { createMetrics } from '../common/metrics/metrics.js';
import { registerMetricsRoute } from '../common/metrics/metrics-route.js';

const gatewayEnvironment = z.object({
  INGEST_URL: z.url(),
  TRACE_API_URL: z.url(),
  RECALL_URL: z.url(),
});

export type Upstreams = Readonly<{ ingest: string; traceApi: string; recall: string }>;

/** Reads the upstream URLs; a missing or bad one stops start-up naming the variable. */
export function upstreamsFrom(env: NodeJS.ProcessEnv): Upstreams {
  const upstreams = parseEnvironment(gatewayEnvironment, env);
  return {
    ingest: upstreams.INGEST_URL,
    traceApi: upstreams.TRACE_API_URL,
    recall: upstreams.RECALL_URL,
  };
}

/** Path prefixes and where they go; the trace API takes whatever no prefix names. */
function routes(upstreams: Upstreams): Array<{ prefix: string; upstream: string }> {
  return [
    { prefix: '/v1/events', upstream: upstreams.ingest },
    { prefix: '/v1/parties', upstream: upstreams.ingest },
    { prefix: '/v1/recalls', upstream: upstreams.recall },
    { prefix: '/v1/notices', upstream: upstreams.recall },
  ];
}

export async function createGateway(
  upstreams: Upstreams,
  logger: Logger,
  options: { bodyLimitBytes: number },
): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = logger.child({ component: 'http' });
  const app: FastifyInstance = Fastify({
    loggerInstance,
    disableRequestLogging: true,
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
  });
  const metrics = createMetrics({ service: 'gateway' });
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks = await Promise.all(
      Object.entries(upstreams).map(async ([name, url]) => {
        try {
          const response = await fetch(new URL('/readyz', url), {
            signal: AbortSignal.timeout(2_000),
          });
          return { name, ok: response.ok };
        } catch {
          return { name, ok: false };
        }
      }),
    );
    const ready = checks.every((check) => check.ok);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
  registerMetricsRoute(app, metrics);
  for (const { prefix, upstream } of routes(upstreams)) {
    await app.register(proxy, { upstream, prefix, rewritePrefix: prefix });
  }
  await app.register(proxy, { upstream: upstreams.traceApi });
  return app;
}
