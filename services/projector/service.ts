/**
 * The projector service: consumes the log into the trace tables. In distributed mode any number of
 * instances share the partitions through the consumer group; rows are keyed by event id, so a
 * rebalance that hands a batch to another instance writes nothing twice. Its HTTP port serves only
 * the probes and /metrics.
 */
import type { Config } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import { createMetrics } from '../common/metrics/metrics.js';
import { startInBackground } from '../common/runtime/background-consumer.js';
import { openFoundations } from '../common/runtime/foundations.js';
import type { RunningService } from '../common/runtime/run-service.js';
import { createServiceHttp, serve } from '../common/runtime/service-http.js';
import { EVENTS_TOPIC, PROJECTOR_GROUP, PROOF_GROUP } from '../common/topics.js';
import { runProofKeeper } from './proof-keeper.js';
import { projectorHealth, startProjector } from './projector.js';

export async function startProjectorService(
  config: Config,
  logger: Logger,
): Promise<RunningService> {
  const foundations = await openFoundations(config, logger);
  const metrics = createMetrics({ service: 'projector' });
  metrics.watchConsumerLag(foundations.log, EVENTS_TOPIC, PROJECTOR_GROUP);
  metrics.watchConsumerLag(foundations.log, EVENTS_TOPIC, PROOF_GROUP);
  // Joins its group in the background: the probes and /metrics answer meanwhile.
  const deps = {
    ...foundations,
    metrics,
    logger,
    batchSize: config.projectorBatchSize,
    lingerMs: config.projectorLingerMs,
    stallAfterMs: config.consumerStallAfterMs,
  };
  const health = projectorHealth(deps);
  const projector = startInBackground(health, logger, (onStateChange) =>
    startProjector({ ...deps, health, onStateChange }),
  );
  // The Merkle trees and signed checkpoints (docs/proofs.md), in a group of their own.
  const proofKeeper = await runProofKeeper(config, logger, foundations);
  const http = await createServiceHttp(config, logger, foundations, metrics, [
    projector,
    proofKeeper,
  ]);
  return serve(config, http, foundations, {
    'the projector': projector,
    'the proof keeper': proofKeeper,
  });
}
