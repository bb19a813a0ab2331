/**
 * The ingest service: POST /v1/events (validate, deduplicate, append to the log) and the party and
 * API-key routes. In distributed mode any number of instances can run side by side.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import { createMetrics, type Metrics } from '../common/metrics/metrics.js';
import { openFoundations, type Foundations } from '../common/runtime/foundations.js';
import { printGeneratedAdminKey, type RunningService } from '../common/runtime/run-service.js';
import { createServiceHttp, serve } from '../common/runtime/service-http.js';
import { EVENTS_TOPIC } from '../common/topics.js';
import { createCaptureJobs } from './epcis/capture-jobs.js';
import { registerCaptureRoutes } from './epcis/capture-routes.js';
import { createEventIndex, type EventIndex } from './event-index.js';
import { openIngestReplica } from './ingest-replica.js';
import { createEventIngestor } from './event-ingestor.js';
import { storeRuleReads, type RuleReads } from './rule-reads.js';
import { identifyEarlierEvents } from './identify-earlier-events.js';
import { registerPartyRoutes } from './party-routes.js';
import { registerIngestRoutes } from './routes.js';
import { registerEventProofRoute } from '../common/proofs/proof-routes.js';

/** How long an EPCIS capture waits for the projector to store the captures before it. */
const EPCIS_PROJECTION_WAIT_MS = 15_000;

/** What ingest needs done before it answers: the ids of earlier events indexed (embedded log). */
export async function prepareIngest(foundations: Foundations, logger: Logger): Promise<void> {
  await identifyEarlierEvents(
    foundations.log,
    foundations.codec,
    logger.child({ service: 'ingest', component: 'identities' }),
  );
}

/** What the write path reads where the launcher has a copy nearer than the store. */
export interface LocalReads {
  readonly reads: RuleReads;
  /** Where ids are settled when the log settles none (a distributed instance's replica). */
  readonly index?: EventIndex;
}

export function mountIngestApi(
  app: FastifyInstance,
  config: Config,
  logger: Logger,
  { log, store, codec, parties, publicProfiles }: Foundations,
  metrics: Metrics,
  /** Where the write rules and idempotency read: the store unless the launcher has a copy. */
  local: LocalReads = { reads: storeRuleReads(store) },
): void {
  const ingestor = createEventIngestor({
    log,
    store,
    ...local,
    codec,
    parties,
    metrics,
    logger: logger.child({ component: 'ingest' }),
  });
  registerIngestRoutes(app, { ingestor, metrics });
  registerPartyRoutes(app, {
    parties,
    publicProfiles,
    allowPrivateWebhooks: config.webhooks.allowPrivate,
  });
  // Under /v1/events, which the gateway sends here (docs/proofs.md).
  registerEventProofRoute(app, { store, log });
  registerCaptureRoutes(app, {
    log,
    projectionWaitMs: EPCIS_PROJECTION_WAIT_MS,
    store,
    parties,
    ingestor,
    index: createEventIndex(store),
    jobs: createCaptureJobs(store),
    captureLimit: config.epcisCaptureLimit,
    fileSizeLimit: config.bodyLimitBytes,
  });
}

export async function startIngestService(config: Config, logger: Logger): Promise<RunningService> {
  const foundations = await openFoundations(config, logger);
  const generatedAdminKey = await foundations.parties.ensureAdmin(config.adminKey);
  if (generatedAdminKey) printGeneratedAdminKey(generatedAdminKey);
  await prepareIngest(foundations, logger);
  // A log that settles ids itself (embedded) needs no replica; Kafka's does.
  const replica =
    config.ingestReplicaPath && !foundations.log.identities
      ? await openIngestReplica({
          log: foundations.log,
          codec: foundations.codec,
          path: config.ingestReplicaPath,
          logger,
        })
      : undefined;
  const metrics = createMetrics({ service: 'ingest' });
  if (replica) metrics.watchConsumerLag(foundations.log, EVENTS_TOPIC, replica.group);
  const http = await createServiceHttp(config, logger, foundations, metrics);
  mountIngestApi(http.app, config, logger, foundations, metrics, replica);
  return serve(config, http, foundations, replica ? { 'the ingest replica': replica } : {});
}
