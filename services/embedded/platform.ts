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
import { openLmdbServingIndex, servingIndexPath } from '../common/serving/lmdb-serving-index.js';
import { createLmdbRecallReads } from '../common/serving/lmdb-recall-reads.js';
import { createLmdbTraceReads } from '../common/serving/lmdb-trace-reads.js';
import { EVENTS_TOPIC, PROJECTOR_GROUP, PROOF_GROUP, RECALL_GROUP } from '../common/topics.js';
import { mountIngestApi, prepareIngest } from '../ingest/service.js';
import { registerConsole } from '../console/serve.js';
import { runProofKeeper } from '../projector/proof-keeper.js';
import { projectorHealth, startProjector } from '../projector/projector.js';
import { mountRecallApi, startRecallWorkers } from '../recall/service.js';
import { mountTraceApi, openPublicCheckCounter } from '../trace-api/service.js';

export interface EmbeddedPlatform {
  /** The base URL the platform listens on. */
  readonly url: string;
  /** The admin key generated at first start, if this start generated one. */
  readonly generatedAdminKey: string | undefined;
  stop(): Promise<void>;
  /** The part being stopped, while `stop` runs. */
  stopping(): string | undefined;
}

export async function startEmbeddedPlatform(
  config: Config,
  logger: Logger,
): Promise<EmbeddedPlatform> {
  const foundations = await openFoundations(config, logger);
  const generatedAdminKey = await foundations.parties.ensureAdmin(config.adminKey);
  await prepareIngest(foundations, logger);
  const metrics = createMetrics({
    service: 'embedded',
    logger: logger.child({ component: 'metrics' }),
  });
  metrics.watchConsumerLag(foundations.log, EVENTS_TOPIC, PROJECTOR_GROUP);
  metrics.watchConsumerLag(foundations.log, EVENTS_TOPIC, RECALL_GROUP);
  metrics.watchConsumerLag(foundations.log, EVENTS_TOPIC, PROOF_GROUP);
  const servingIndex = openLmdbServingIndex({ path: servingIndexPath(config.dataDir) });
  const projectorDeps = {
    ...foundations,
    metrics,
    logger,
    batchSize: config.projectorBatchSize,
    lingerMs: config.projectorLingerMs,
    stallAfterMs: config.consumerStallAfterMs,
    servingIndex,
    failpoints: config.failpoints,
  };
  const projection = projectorHealth(projectorDeps);
  const projector = startInBackground(projection, logger, (onStateChange) =>
    startProjector({ ...projectorDeps, health: projection, onStateChange }),
  );
  // Beside the projector, in its own group: the Merkle trees and signed checkpoints (docs/proofs.md).
  const proofKeeper = await runProofKeeper(config, logger, foundations);
  // The embedded log has no group to wait for, but the projector's start catches the serving
  // index up from the log, and traces read the index: the platform serves once that is done.
  await projector.started;
  // The one read model of the trace chain, for the trace API and the recall scope alike, answered
  // from the serving index the projector keeps beside the store (docs/adr/0001-serving-path.md).
  const reads = createLmdbTraceReads(servingIndex);
  const recall = await startRecallWorkers(config, logger, foundations, reads, metrics);
  const http = await createServiceHttp(config, logger, foundations, metrics, [
    projector,
    recall.consumer,
    proofKeeper,
  ]);
  mountIngestApi(http.app, config, logger, foundations, metrics, {
    reads: { batches: (ids) => reads.batches(ids), ...createLmdbRecallReads(servingIndex) },
  });
  const publicChecks = openPublicCheckCounter(config, logger);
  mountTraceApi(http.app, config, foundations, reads, http.audit, publicChecks, servingIndex);
  mountRecallApi(http.app, foundations, reads);
  await registerConsole(http.app);
  // Stopped in this order: the recall consumer waits on the projector, so the projector is last.
  const running = await serve(config, http, foundations, {
    'the warning watch': recall.warningWatch,
    'the notifier': recall.notifier,
    'the recall consumer': recall.consumer,
    'the projector': projector,
    'the proof keeper': proofKeeper,
    'the serving index': { stop: () => servingIndex.close() },
    'the public check counts': { stop: () => publicChecks.close() },
  });
  logger.info({ url: running.url, dataDir: config.dataDir }, 'suyuan embedded platform listening');
  return {
    url: running.url,
    generatedAdminKey,
    stopping: () => running.stopping?.(),
    async stop() {
      await running.stop();
      logger.info('suyuan embedded platform stopped');
    },
  };
}
