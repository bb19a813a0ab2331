/**
 * The recall service: the recall consumer (opens recalls, keeps them standing), the notifier
 * (webhook deliveries with retries), the warning watch (new 一级 risk warnings recorded for
 * regulators, which the notifier then pushes) and the recall routes. Run exactly one: the notifier
 * assumes it is the only one delivering from its store. The routes and the notifier read the store, so
 * they start at once; the consumer joins its group meanwhile
 * (common/runtime/background-consumer.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import { createMetrics, type Metrics } from '../common/metrics/metrics.js';
import { openFoundations, type Foundations } from '../common/runtime/foundations.js';
import type { RunningService } from '../common/runtime/run-service.js';
import {
  startInBackground,
  type BackgroundConsumer,
} from '../common/runtime/background-consumer.js';
import { createServiceHttp, serve, type Worker } from '../common/runtime/service-http.js';
import { EVENTS_TOPIC, RECALL_GROUP } from '../common/topics.js';
import { createStoreTraceReads } from '../common/trace/store-trace-reads.js';
import type { TraceReads } from '../common/trace/trace-reads.js';
import { startNotifier } from './notifier/notifier.js';
import { recallConsumerHealth, startRecallService } from './recall-service.js';
import { registerRecallRoutes } from './routes.js';
import { startWarningWatch } from './warnings/warning-watch.js';

/** The party the platform's own services act as in the events they write. */
export const SYSTEM_PARTY_ID = 'suyuan';

export function mountRecallApi(
  app: FastifyInstance,
  { store, parties, log }: Foundations,
  reads: TraceReads,
): void {
  registerRecallRoutes(app, { store, parties, reads, log });
}

export interface RecallWorkers {
  readonly notifier: Worker;
  /** Records new 一级 warnings for regulators, on a schedule; stop it before the notifier. */
  readonly warningWatch: Worker;
  /** The recall consumer, joining its group in the background; its health is there at once. */
  readonly consumer: BackgroundConsumer;
}

/**
 * Starts the notifier, the warning watch, and the recall consumer in the background; stop the
 * watch, the notifier, then the consumer.
 */
export async function startRecallWorkers(
  config: Config,
  logger: Logger,
  foundations: Foundations,
  reads: TraceReads,
  metrics?: Metrics,
): Promise<RecallWorkers> {
  await foundations.parties.ensureSystemParty(
    SYSTEM_PARTY_ID,
    'Suyuan recall service 溯源召回服务',
  );
  const notifier = await startNotifier({
    store: foundations.store,
    logger,
    ...config.webhooks,
  });
  const warningWatch = startWarningWatch({
    store: foundations.store,
    logger,
    rules: config.warningRules,
    intervalMs: config.warningWatchIntervalMs,
  });
  const deps = {
    ...foundations,
    reads,
    logger,
    policy: config.recallPolicy,
    systemPartyId: SYSTEM_PARTY_ID,
    metrics,
    stallAfterMs: config.consumerStallAfterMs,
  };
  const health = recallConsumerHealth(deps);
  const consumer = startInBackground(health, logger, (onStateChange) =>
    startRecallService({ ...deps, health, onStateChange }),
  );
  return { notifier, warningWatch, consumer };
}

export async function startRecallProcess(config: Config, logger: Logger): Promise<RunningService> {
  const foundations = await openFoundations(config, logger);
  const metrics = createMetrics({ service: 'recall' });
  metrics.watchConsumerLag(foundations.log, EVENTS_TOPIC, RECALL_GROUP);
  const reads = createStoreTraceReads(foundations.store);
  const { notifier, warningWatch, consumer } = await startRecallWorkers(
    config,
    logger,
    foundations,
    reads,
    metrics,
  );
  const http = await createServiceHttp(config, logger, foundations, metrics, [consumer]);
  mountRecallApi(http.app, foundations, reads);
  return serve(config, http, foundations, {
    'the warning watch': warningWatch,
    'the notifier': notifier,
    'the recall consumer': consumer,
  });
}
