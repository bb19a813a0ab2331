/**
 * The trace API service: batches, traces, the EPCIS query, search, the regulator's analytics
 * (gaps/, fsma204/, warnings/) and the audit trail, all read from the store; and the operators'
 * view of the event log (common/dead-letters/). Stateless: run as many as the load needs.
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
import { gatedUnresolvedLinks, storeUnresolvedLinks } from './epcis/unresolved-links.js';
import { registerFsmaRoutes } from './fsma204/fsma-routes.js';
import { registerGapRoutes } from './gaps/gap-routes.js';
import { registerTraceRoutes } from './routes.js';
import { registerSearchRoutes } from './search-routes.js';
import { registerWarningRoutes } from './warnings/warning-routes.js';

export function mountTraceApi(
  app: FastifyInstance,
  config: Config,
  { store, parties, log, codec }: Foundations,
  reads: TraceReads,
  audit: AuditTrail,
  /**
   * Whether any of a trace's events came from EPCIS, asked before the store is asked for its
   * unresolved links: the embedded platform answers from the serving index.
   */
  derivedFromEpcis?: (eventIds: readonly string[]) => boolean,
): void {
  const links = storeUnresolvedLinks(store);
  registerTraceRoutes(app, {
    reads,
    parties,
    limits: config.trace,
    evidence: { store, log },
    unresolvedLinks: derivedFromEpcis ? gatedUnresolvedLinks(derivedFromEpcis, links) : links,
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
  mountTraceApi(http.app, config, foundations, reads, http.audit);
  return serve(config, http, foundations);
}
