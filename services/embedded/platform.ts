/**
 * The embedded mode: ingest, projector, recall service, notifier and the read APIs in one process
 * on one HTTP port, with the durable embedded log and chDB under one data directory. The same
 * service modules run one per process in distributed mode (services/<name>/service.ts).
 */
import type { Config } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import { createMetrics } from '../common/metrics/metrics.js';
import { startInBackground } from '../common/runtime/background-consumer.js';
import { openFoundations } from '../common/runtime/foundations.js';
import { createServiceHttp, serve } from '../common/runtime/service-http.js';
import { EVENTS_TOPIC, PROJECTOR_GROUP, RECALL_GROUP } from '../common/topics.js';
import { createStoreTraceReads } from '../common/trace/store-trace-reads.js';
import { mountIngestApi } from '../ingest/service.js';
import { registerConsole } from '../console/serve.js';
import { projectorHealth, startProjector } from '../projector/projector.js';
import { mountRecallApi, startRecallWorkers } from '../recall/service.js';
import { mountTraceApi } from '../trace-api/service.js';

export interface EmbeddedPlatform {
  /** The base URL the platform listens on. */
  readonly url: string;
  /** The admin key generated at first start, if this start generated one. */
  readonly generatedAdminKey: string | undefined;
  stop(): Promise<void>;
}

export async function startEmbeddedPlatform(
  config: Config,
  logger: Logger,
): Promise<EmbeddedPlatform> {
  const foundations = await openFoundations(config, logger);
  const generatedAdminKey = await foundations.parties.ensureAdmin(config.adminKey);
  const metrics = createMetrics({
    service: 'embedded',
    logger: logger.child({ component: 'metrics' }),
  });
  metrics.watchConsumerLag(foundations.log, EVENTS_TOPIC, PROJECTOR_GROUP);
  metrics.watchConsumerLag(foundations.log, EVENTS_TOPIC, RECALL_GROUP);
  const projectorDeps = {
    ...foundations,
    metrics,
    logger,
    batchSize: config.projectorBatchSize,
    stallAfterMs: config.consumerStallAfterMs,
  };
  const projection = projectorHealth(projectorDeps);
  const projector = startInBackground(projection, projectorDeps.logger, (onStateChange) =>
    startProjector({ ...projectorDeps, health: projection, onStateChange }),
  );
  // The one read model of the trace chain, for the trace API and the recall scope alike.
  const reads = createStoreTraceReads(foundations.store);
  const recall = await startRecallWorkers(config, logger, foundations, reads, metrics);
  const http = await createServiceHttp(config, logger, foundations, metrics, [
    projector,
    recall.consumer,
  ]);
  mountIngestApi(http.app, config, logger, foundations, metrics);
  mountTraceApi(http.app, config, foundations, reads, http.audit);
  mountRecallApi(http.app, foundations, reads);
  await registerConsole(http.app);
  // Stopped in this order: the recall consumer waits on the projector, so the projector is last.
  const running = await serve(config, http, foundations, [
    recall.notifier,
    recall.consumer,
    projector,
  ]);
  logger.info({ url: running.url, dataDir: config.dataDir }, 'suyuan embedded platform listening');
  return {
    url: running.url,
    generatedAdminKey,
    async stop() {
      await running.stop();
      logger.info('suyuan embedded platform stopped');
    },
  };
}
