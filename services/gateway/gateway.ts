/**
 * The gateway: the one public address of the distributed platform. It routes by path — events,
 * parties and keys to ingest; recalls and notices to the recall service; everything else (batches,
 * traces, search, audit, and the public trace-code check at /t/… and /01/…) to the trace API —
 * and has its own probes: /readyz is ready
 * only when every upstream is. Each service documents its own routes, so the gateway serves the
 * API document (`/openapi.json`, and `/docs/json` for Swagger UI) as the three merged. It serves
 * the web console itself: static pages, the one public face of the platform. A request a service
 * does not answer gets `503 unavailable` naming the service (./upstream-failure.ts).
 */
import proxy from '@fastify/http-proxy';
import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { registerConsole } from '../console/serve.js';
import { parseEnvironment } from '../common/config.js';
import { SuyuanError } from '../common/errors.js';
import { installErrorHandler } from '../common/http/error-handler.js';
import type { Logger } from '../common/logger.js';
import { createMetrics } from '../common/metrics/metrics.js';
import { registerMetricsRoute } from '../common/metrics/metrics-route.js';
import { upstreamFailure, type UpstreamService } from './upstream-failure.js';

const gatewayEnvironment = z.object({
  INGEST_URL: z.url(),
  TRACE_API_URL: z.url(),
  RECALL_URL: z.url(),
  GATEWAY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
});

export type Upstreams = Readonly<{ ingest: string; traceApi: string; recall: string }>;

export interface GatewaySettings {
  readonly upstreams: Upstreams;
  /** How long a service may take to start answering a request before the gateway answers 503. */
  readonly upstreamTimeoutMs: number;
}

/** Reads the gateway's settings; a missing or bad one stops start-up naming the variable. */
export function gatewaySettingsFrom(env: NodeJS.ProcessEnv): GatewaySettings {
  const settings = parseEnvironment(gatewayEnvironment, env);
  return {
    upstreams: {
      ingest: settings.INGEST_URL,
      traceApi: settings.TRACE_API_URL,
      recall: settings.RECALL_URL,
    },
    upstreamTimeoutMs: settings.GATEWAY_UPSTREAM_TIMEOUT_MS,
  };
}

const SERVICE_OF: Record<keyof Upstreams, UpstreamService> = {
  ingest: 'ingest',
  traceApi: 'trace-api',
  recall: 'recall',
};

/**
 * Path prefixes (and methods, where a path has readers and writers) and the service each goes
 * to; the trace API takes whatever no prefix (nor the console) names. EPCIS capture is
 * ingest's, the EPCIS query (GET /epcis/events…) the trace API's.
 */
const ROUTES: ReadonlyArray<{
  prefix?: string;
  service: keyof Upstreams;
  httpMethods?: string[];
}> = [
  { prefix: '/v1/events', service: 'ingest' },
  { prefix: '/v1/parties', service: 'ingest' },
  { prefix: '/epcis/capture', service: 'ingest' },
  { prefix: '/epcis/events', service: 'ingest', httpMethods: ['POST'] },
  { prefix: '/v1/recalls', service: 'recall' },
  { prefix: '/v1/notices', service: 'recall' },
  { service: 'traceApi' },
];

export async function createGateway(
  { upstreams, upstreamTimeoutMs }: GatewaySettings,
  logger: Logger,
  options: { bodyLimitBytes: number; epcisCaptureLimit: number },
): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = logger.child({ component: 'http' });
  const app: FastifyInstance = Fastify({
    loggerInstance,
    disableRequestLogging: true,
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
  });
  installErrorHandler(app);
  // The proxies stream a body on unread, so Fastify's limit never sees it: a body past the limit
  // would reach the upstream, which refuses it halfway and leaves the proxy a broken pipe.
  app.addHook('onRequest', (request, reply, done) => {
    const tooLarge = Number(request.headers['content-length'] ?? 0) > options.bodyLimitBytes;
    if (tooLarge && request.url.startsWith('/epcis/capture')) {
      // The EPCIS capture interface announces its limits on every answer, as ingest's own 413
      // does, so that a client learns what to split to.
      void reply.headers({
        'GS1-EPCIS-Capture-Limit': String(options.epcisCaptureLimit),
        'GS1-EPCIS-Capture-File-Size-Limit': String(options.bodyLimitBytes),
      });
    }
    done(
      tooLarge
        ? new SuyuanError(
            'payload_too_large',
            `body: larger than the limit of this server (${options.bodyLimitBytes} bytes)`,
          )
        : undefined,
    );
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
  const openApi = () => mergedOpenApi(upstreams);
  app.get('/openapi.json', openApi);
  app.get('/docs/json', openApi);
  registerMetricsRoute(app, metrics);
  await registerConsole(app);
  for (const { prefix, service, httpMethods } of ROUTES) {
    await app.register(proxy, {
      upstream: upstreams[service],
      ...(prefix ? { prefix, rewritePrefix: prefix } : {}),
      ...(httpMethods ? { httpMethods } : {}),
      replyOptions: {
        rewriteRequestHeaders: forwardedFor,
        timeout: upstreamTimeoutMs,
        onError: (reply, { error }) => {
          void reply.send(
            upstreamFailure(SERVICE_OF[service], reply.request, error, upstreamTimeoutMs),
          );
        },
      },
    });
  }
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
  const services: Array<keyof Upstreams> = ['traceApi', 'ingest', 'recall'];
  const documents = await Promise.all(
    services.map(async (service) => {
      // The message names the service, never its (internal) address; the cause keeps the rest.
      const unavailable = (why: string, cause?: unknown) =>
        new SuyuanError(
          'unavailable',
          `the API document could not be assembled: the ${SERVICE_OF[service]} service ${why}`,
          { cause },
        );
      const url = new URL('/openapi.json', upstreams[service]);
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(
        (error: unknown) => {
          throw unavailable('did not answer', error);
        },
      );
      if (!response.ok) throw unavailable(`answered ${response.status}`);
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
