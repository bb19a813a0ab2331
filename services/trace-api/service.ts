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
import { registerSearchRoutes } from './search-routes.js';
import { registerWarningRoutes } from './warnings/warning-routes.js';
import { checkCountsPath, openCheckCounter, type CheckCounter } from './public/check-counts.js';
import { registerPublicRoutes } from './public/public-routes.js';
import { createDetailsCache } from './public/public-view.js';

/** How long the public check reuses a batch's origin and inspections (its recall is always read). */
export const PUBLIC_DETAILS_TTL_MS = 2_000;

export function mountTraceApi(
  app: FastifyInstance,
  config: Config,
  { store, parties, publicProfiles, log, codec }: Foundations,
  reads: TraceReads,
  audit: AuditTrail,
  publicChecks: CheckCounter,
): void {
  registerTraceRoutes(app, {
    reads,
    parties,
    limits: config.trace,
    evidence: { store, log },
  });
  registerPublicRoutes(app, {
    reads,
    parties,
    profiles: publicProfiles,
    maxDepth: config.trace.maxDepth,
    counter: publicChecks,
    details: createDetailsCache({ ttlMs: PUBLIC_DETAILS_TTL_MS, maxEntries: 10_000 }),
  });
  registerEpcisQueryRoutes(app, { store, reads });
  registerSearchRoutes(app, { store });
  registerGapRoutes(app, { store, rules: config.gaps });
  registerFsmaRoutes(app, { store, parties });
  registerWarningRoutes(app, { store, rules: config.warningRules });
  registerAuditRoutes(app, { store, flush: audit.flush });
  registerLogAdminRoutes(app, { log, store, codec });
  registerCheckpointRoutes(app, { store, log });
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
  const publicChecks = openPublicCheckCounter(config, logger);
  mountTraceApi(http.app, config, foundations, reads, http.audit, publicChecks);
  return serve(config, http, foundations, {
    'the public check counts': { stop: () => publicChecks.close() },
  });
}

/**
 * The counts of the public check, under the data directory: the embedded platform's, or in
 * distributed mode this trace-api instance's own (see the README: several instances each count
 * the checks they answer).
 */
export function openPublicCheckCounter(config: Config, logger: Logger): CheckCounter {
  const log = logger.child({ component: 'public-checks' });
  return openCheckCounter({
    path: checkCountsPath(config.dataDir),
    flushIntervalMs: config.publicCheck.flushIntervalMs,
    thresholds: config.publicCheck.suspicious,
    onFlushError: (error) => log.error({ err: error }, 'could not write the check counts'),
  });
}
