/**
 * The trace API service: batches, traces, search, the audit trail and the web console, all read
 * from the store; and the operators' view of the event log (common/dead-letters/). Stateless: run as many as the load needs.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { registerAuditRoutes } from '../common/audit/audit-routes.js';
import type { AuditTrail } from '../common/audit/audit-trail.js';
import type { Config } from '../common/config.js';
import { registerLogAdminRoutes } from '../common/dead-letters/log-admin-routes.js';
import type { Logger } from '../common/logger.js';
import { createMetrics } from '../common/metrics/metrics.js';
import { PROJECT_ROOT } from '../common/project-paths.js';
import { openFoundations, type Foundations } from '../common/runtime/foundations.js';
import type { RunningService } from '../common/runtime/run-service.js';
import { createServiceHttp, serve } from '../common/runtime/service-http.js';
import { registerConsole } from '../console/serve.js';
import { registerTraceRoutes } from './routes.js';
import { registerSearchRoutes } from './search-routes.js';

export async function mountTraceApi(
  app: FastifyInstance,
  config: Config,
  { store, parties, log, codec }: Foundations,
  audit: AuditTrail,
): Promise<void> {
  registerTraceRoutes(app, { store, parties, limits: config.trace });
  registerSearchRoutes(app, { store });
  registerAuditRoutes(app, { store, flush: audit.flush });
  registerLogAdminRoutes(app, { log, store, codec });
  await registerConsole(app, { root: join(PROJECT_ROOT, 'dist', 'console') });
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
  await mountTraceApi(http.app, config, foundations, http.audit);
  return serve(config, http, foundations);
}
