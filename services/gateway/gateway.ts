/**
 * The gateway: the one public address of the distributed platform. It routes by path — events,
 * parties and keys to ingest; recalls and notices to the recall service; everything else (batches,
 * traces, search, audit, the console) to the trace API — and has its own probes: /readyz is ready
 * only when every upstream is. Each service documents its own routes, so the gateway serves the
 * API document (`/openapi.json`, and `/docs/json` for Swagger UI) as the three merged. It serves
 * the web console itself: static pages, the one public face of the platform.
 */
import proxy from '@fastify/http-proxy';
import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { registerConsole } from '../console/serve.js';
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

/** Path prefixes and where they go; the trace API takes whatever no prefix (nor the console) names. */
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
  const openApi = async (_request: unknown, reply: FastifyReply) => {
    try {
      return await mergedOpenApi(upstreams);
    } catch (error) {
      return reply.status(503).send({
        error: 'unavailable',
        message: `the API document could not be assembled: ${(error as Error).message}`,
      });
    }
  };
  app.get('/openapi.json', openApi);
  app.get('/docs/json', openApi);
  registerMetricsRoute(app, metrics);
  await registerConsole(app);
  const replyOptions = { rewriteRequestHeaders: forwardedFor };
  for (const { prefix, upstream } of routes(upstreams)) {
    await app.register(proxy, { upstream, prefix, rewritePrefix: prefix, replyOptions });
  }
  await app.register(proxy, { upstream: upstreams.traceApi, replyOptions });
  return app;
}

/**
 * Tells the services who the client is (`X-Forwarded-For`, which they trust from the gateway
 * with SUYUAN_TRUST_PROXY): their limits by client address would otherwise count every client as
 * the gateway. The header is set, never appended to, so a client cannot name another address.
 */
function forwardedFor<Headers extends IncomingHttpHeaders>(
  request: { readonly ip: string },
  headers: Headers,
): Headers {
  return { ...headers, 'x-forwarded-for': request.ip };
}

interface OpenApiDocument {
  readonly paths?: Record<string, unknown>;
  readonly components?: { readonly schemas?: Record<string, unknown> } & Record<string, unknown>;
  readonly [field: string]: unknown;
}

/**
 * The upstreams' documents as one: the trace API's as the base (title, security, tags), with
 * every service's paths and component schemas. The schemas come from the same code in every
 * service, so a name means the same schema wherever it appears.
 */
async function mergedOpenApi(upstreams: Upstreams): Promise<OpenApiDocument> {
  const documents = await Promise.all(
    [upstreams.traceApi, upstreams.ingest, upstreams.recall].map(async (upstream) => {
      const url = new URL('/openapi.json', upstream);
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(
        (error: unknown) => {
          throw new Error(`${url.href}: ${(error as Error).message}`);
        },
      );
      if (!response.ok) throw new Error(`${url.href} answered ${response.status}`);
      return (await response.json()) as OpenApiDocument;
    }),
  );
  const [base] = documents as [OpenApiDocument, ...OpenApiDocument[]];
  const merged = (part: (document: OpenApiDocument) => Record<string, unknown> | undefined) =>
    Object.fromEntries(documents.flatMap((document) => Object.entries(part(document) ?? {})));
  return {
    ...base,
    paths: merged((document) => document.paths),
    components: { ...base.components, schemas: merged((document) => document.components?.schemas) },
  };
}
