/**
 * The HTTP side every service shares, in both modes: the app with rate limits, authentication,
 * probes and the OpenAPI document, the audit trail and GET /metrics. A service adds its own
 * routes, then `listen`s.
 */
import type { FastifyInstance } from 'fastify';
import { installAuditTrail, type AuditTrail } from '../audit/audit-trail.js';
import type { Config } from '../config.js';
import { createHttpApp } from '../http/http-app.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { registerMetricsRoute } from '../metrics/metrics-route.js';
import type { BackgroundConsumer } from './background-consumer.js';
import type { Foundations } from './foundations.js';
import type { RunningService } from './run-service.js';

export interface ServiceHttp {
  readonly app: FastifyInstance;
  readonly audit: AuditTrail;
}

/**
 * `consumers` are the log consumers this process runs: /readyz says whether each has joined its
 * group and fails while one is stalled or failed, and /metrics reports each one's health.
 */
export async function createServiceHttp(
  config: Config,
  logger: Logger,
  foundations: Foundations,
  metrics: Metrics,
  consumers: readonly BackgroundConsumer[] = [],
): Promise<ServiceHttp> {
  const { log, store, parties } = foundations;
  for (const consumer of consumers) metrics.watchConsumerHealth(consumer.health);
  const app = await createHttpApp({
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    parties,
    rateLimit: config.rateLimit,
    trustProxy: config.trustProxy,
    readiness: [
      { name: 'log', check: () => log.ping() },
      { name: 'store', check: () => store.ping() },
      ...consumers.map((consumer) => ({
        name: `consumer ${consumer.group}`,
        check: () => consumer.health.check(),
      })),
    ],
    consumers,
  });
  const audit = installAuditTrail(app, { store, metrics, logger });
  registerMetricsRoute(app, metrics);
  return { app, audit };
}

/** Listens on PORT/HOST and returns a URL a client on this machine can use. */
export async function listen(app: FastifyInstance, config: Config): Promise<string> {
  const url = await app.listen({ port: config.port, host: config.host });
  return url.replace('0.0.0.0', '127.0.0.1');
}

/** Something started that must be stopped on shutdown: a consumer, the notifier. */
export interface Worker {
  stop(): Promise<void>;
}

/** Workers by the name an operator knows them by, in the order they stop. */
export type Workers = Readonly<Record<string, Worker>>;

/**
 * Listens, and returns the service's stop: HTTP first (no new requests), the audit trail's last
 * rows, then the workers in the given order, then the log and the store. `stopping` names the part
 * being stopped, so that a shutdown past its deadline can say what did not stop.
 */
export async function serve(
  config: Config,
  { app, audit }: ServiceHttp,
  foundations: Foundations,
  workers: Workers = {},
): Promise<RunningService> {
  const url = await listen(app, config);
  const parts: ReadonlyArray<readonly [string, () => Promise<void>]> = [
    ['the HTTP server', () => app.close()],
    ['the audit trail', () => audit.close()],
    ...Object.entries(workers).map(([name, worker]) => [name, () => worker.stop()] as const),
    ['the event log and the store', () => foundations.close()],
  ];
  let stopping: string | undefined;
  return {
    url,
    stopping: () => stopping,
    async stop() {
      for (const [name, stop] of parts) {
        stopping = name;
        await stop();
      }
      stopping = undefined;
    },
  };
}
