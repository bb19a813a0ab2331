/**
 * The trace API service: batches, traces, the public trace-code check, the EPCIS query, search,
 * the regulator's analytics (gaps/, fsma204/, warnings/) and the audit trail, all read from the
 * store; and the operators' view of the event log (common/dead-letters/). Stateless: run as many
 * as the load needs.
 */
import type { FastifyInstance } from 'fastify';
import { registerAuditRoutes } from '../common/audit/audit-routes.js';
import type { AuditTrail } from '../common/audit/audit-trail.js';
import type { Config } from '../common/config.js';
import { registerLogAdminRoutes } from '../common/dead-letters/log-admin-routes.js';
import { registerCheckpointRoutes } from '../common/proofs/proof-routes.js';
import type { Logger } from '../common/logger.js';
import { createMetrics } from '../common/metrics/metrics.js';
import { openFoundations, type Foundations } from '../common/runtime/foundations.js';
import type { RunningService } from '../common/runtime/run-service.js';
import { createServiceHttp, serve } from '../common/runtime/service-http.js';
import { createStoreTraceReads } from '../common/trace/store-trace-reads.js';
import type { TraceReads } from '../common/trace/trace-reads.js';
import { registerEpcisQueryRoutes } from './epcis/query-routes.js';
import { registerFsmaRoutes } from './fsma204/fsma-routes.js';
import { registerGapRoutes } from './gaps/gap-routes.js';
import { registerTraceRoutes } from './routes.js';
import { createTraceCache, type TraceCache } from './trace-cache.js';
import type { ServingChange } from '../common/serving/serving-changes.js';
import type { PartyDirectory } from '../common/access/party-directory.js';
import { registerSearchRoutes } from './search-routes.js';
import { registerWarningRoutes } from './warnings/warning-routes.js';
import { checkCountsPath, openCheckCounter, type CheckCounter } from './public/check-counts.js';
import { createStoreCheckCounter } from './public/store-check-counts.js';
import type { Store } from '../common/store/store.js';
import { registerPublicRoutes } from './public/public-routes.js';
import { createDetailsCache } from './public/public-view.js';

/** How long the public check reuses a batch's origin and inspections (its recall is always read). */
export const PUBLIC_DETAILS_TTL_MS = 2_000;

export function mountTraceApi(
  app: FastifyInstance,
  config: Config,
  { store, parties, publicProfiles, log, codec, setAsideMemory }: Foundations,
  reads: TraceReads,
  audit: AuditTrail,
  publicChecks: CheckCounter,
  /**
   * The serving index's writes, where the reads come from it (embedded): regulators' traces are
   * then kept until a write changes them. The store has no such feed, so without it none are.
   */
  servingWrites?: { watch(listener: (change: ServingChange) => void): () => void },
): void {
  registerTraceRoutes(app, {
    reads,
    parties,
    limits: config.trace,
    evidence: { store, log },
    ...(servingWrites &&
      config.trace.cacheBytes > 0 && {
        cache: watchedTraceCache(config.trace.cacheBytes, servingWrites, parties),
      }),
  });
  registerPublicRoutes(app, {
    reads,
    parties,
    profiles: publicProfiles,
    maxDepth: config.trace.maxDepth,
    counter: publicChecks,
    details: createDetailsCache({ ttlMs: PUBLIC_DETAILS_TTL_MS, maxEntries: 10_000 }),
  });
  registerEpcisQueryRoutes(app, { store, reads, evidence: { store, log } });
  registerSearchRoutes(app, { store });
  registerGapRoutes(app, { store, rules: config.gaps });
  registerFsmaRoutes(app, { store, parties });
  registerWarningRoutes(app, { store, rules: config.warningRules });
  registerAuditRoutes(app, { store, flush: audit.flush });
  registerLogAdminRoutes(app, { log, store, codec, setAsideMemory });
  registerCheckpointRoutes(app, { store, log });
}

/** A trace cache that drops what each write, and each newly registered party, can change. */
function watchedTraceCache(
  maxBytes: number,
  servingWrites: { watch(listener: (change: ServingChange) => void): () => void },
  parties: PartyDirectory,
): TraceCache {
  const cache = createTraceCache({ maxBytes });
  servingWrites.watch((change) => cache.invalidate(change));
  // A trace names a party not yet registered without a name; registering it gives the name.
  parties.watchRegistered(() => cache.invalidate('all'));
  return cache;
}

export async function startTraceApiService(
  config: Config,
  logger: Logger,
): Promise<RunningService> {
  const foundations = await openFoundations(config, logger);
  const http = await createServiceHttp(
    config,
    logger,
    foundations,
    createMetrics({ service: 'trace-api' }),
  );
  const reads = createStoreTraceReads(foundations.store);
  const publicChecks = sharedPublicCheckCounter(config, logger, foundations.store);
  mountTraceApi(http.app, config, foundations, reads, http.audit, publicChecks);
  return serve(config, http, foundations, {
    'the public check counts': { stop: () => publicChecks.close() },
  });
}

/** The counts of the public check of the embedded platform, one process: LMDB, under the data directory. */
export function openPublicCheckCounter(config: Config, logger: Logger): CheckCounter {
  const log = logger.child({ component: 'public-checks' });
  return openCheckCounter({
    path: checkCountsPath(config.dataDir),
    flushIntervalMs: config.publicCheck.flushIntervalMs,
    thresholds: config.publicCheck.suspicious,
    onFlushError: (error) => log.error({ err: error }, 'could not write the check counts'),
  });
}

/**
 * The counts of the public check in distributed mode: every trace-API instance adds its own to
 * the shared store, and a code's count is their sum (store-check-counts.ts).
 */
function sharedPublicCheckCounter(config: Config, logger: Logger, store: Store): CheckCounter {
  const log = logger.child({ component: 'public-checks' });
  return createStoreCheckCounter({
    store,
    flushIntervalMs: config.publicCheck.flushIntervalMs,
    thresholds: config.publicCheck.suspicious,
    onFlushError: (error) => log.error({ err: error }, 'could not write the check counts'),
  });
}
