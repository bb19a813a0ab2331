/**
 * The embedded mode: ingest, projector, recall service, notifier and the read APIs in one process
 * on one HTTP port, with the durable embedded log and chDB under one data directory.
 */
import { join } from 'node:path';
import { createPartyDirectory, type PartyDirectory } from '../common/access/party-directory.js';
import type { Config } from '../common/config.js';
import { createEventCodec, type EventCodec } from '../common/events/codec.js';
import { registerAuditRoutes } from '../common/audit/audit-routes.js';
import { installAuditTrail } from '../common/audit/audit-trail.js';
import { createHttpApp } from '../common/http/http-app.js';
import { PROJECT_ROOT } from '../common/project-paths.js';
import { registerConsole } from '../console/serve.js';
import { installRateLimit } from '../common/http/rate-limit.js';
import { createEventLog } from '../common/log/create-event-log.js';
import type { EventLog } from '../common/log/event-log.js';
import type { Logger } from '../common/logger.js';
import { createChdbStore } from '../common/store/chdb-store.js';
import { migrate } from '../common/store/migrations.js';
import type { Store } from '../common/store/store.js';
import { EVENTS_TOPIC } from '../common/topics.js';
import { createEventIngestor } from '../ingest/event-ingestor.js';
import { registerPartyRoutes } from '../ingest/party-routes.js';
import { registerIngestRoutes } from '../ingest/routes.js';
import { startProjector } from '../projector/projector.js';
import { startNotifier } from '../recall/notifier/notifier.js';
import { startRecallService } from '../recall/recall-service.js';
import { registerRecallRoutes } from '../recall/routes.js';
import { registerTraceRoutes } from '../trace-api/routes.js';
import { registerSearchRoutes } from '../trace-api/search-routes.js';

/** The party the platform's own services act as in the events they write. */
export const SYSTEM_PARTY_ID = 'suyuan';

export interface EmbeddedPlatform {
  /** The base URL the platform listens on. */
  readonly url: string;
  /** The admin key generated at first start, if this start generated one. */
  readonly generatedAdminKey: string | undefined;
  stop(): Promise<void>;
}

interface Foundations {
  readonly log: EventLog;
  readonly store: Store;
  readonly codec: EventCodec;
  readonly parties: PartyDirectory;
}

async function openFoundations(config: Config, logger: Logger) {
  const log = createEventLog(
    { kind: 'embedded', path: join(config.dataDir, 'log', 'events.sqlite') },
    logger,
  );
  const store = createChdbStore({ path: join(config.dataDir, 'clickhouse') });
  await migrate(store, logger.child({ component: 'migrations' }));
  await log.ensureTopic(EVENTS_TOPIC);
  const parties = createPartyDirectory(store);
  const generatedAdminKey = await parties.ensureAdmin(config.adminKey);
  await parties.ensureSystemParty(SYSTEM_PARTY_ID, 'Suyuan recall service 溯源召回服务');
  return { log, store, parties, codec: createEventCodec(), generatedAdminKey };
}

/** The consumers of the log; stopped in reverse, the projector last (the recall service waits on it). */
async function startWorkers(config: Config, logger: Logger, { log, store, codec }: Foundations) {
  const projector = await startProjector({
    log,
    store,
    codec,
    logger: logger.child({ service: 'projector' }),
    batchSize: config.projectorBatchSize,
  });
  const recalls = await startRecallService({
    log,
    store,
    codec,
    logger: logger.child({ service: 'recall' }),
    policy: config.recallPolicy,
    systemPartyId: SYSTEM_PARTY_ID,
  });
  const notifier = await startNotifier({
    store,
    logger: logger.child({ service: 'notifier' }),
    ...config.webhooks,
  });
  return [notifier, recalls, projector];
}

async function buildHttp(
  config: Config,
  logger: Logger,
  { log, store, codec, parties }: Foundations,
) {
  const app = await createHttpApp({
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    parties,
    readiness: [
      { name: 'log', check: () => log.ping() },
      { name: 'store', check: () => store.ping() },
    ],
  });
  const audit = installAuditTrail(app, { store, logger: logger.child({ service: 'audit' }) });
  await installRateLimit(app, config.rateLimit);
  const ingestLogger = logger.child({ service: 'ingest' });
  const ingestor = createEventIngestor({ log, store, codec, parties, logger: ingestLogger });
  registerIngestRoutes(app, { ingestor });
  registerPartyRoutes(app, { parties, allowPrivateWebhooks: config.webhooks.allowPrivate });
  registerTraceRoutes(app, { store, parties, limits: config.trace });
  registerRecallRoutes(app, { store, parties });
  registerAuditRoutes(app, { store, flush: audit.flush });
  registerSearchRoutes(app, { store });
  await registerConsole(app, { root: join(PROJECT_ROOT, 'dist', 'console') });
  return { app, audit };
}

export async function startEmbeddedPlatform(
  config: Config,
  logger: Logger,
): Promise<EmbeddedPlatform> {
  const { generatedAdminKey, ...foundations } = await openFoundations(config, logger);
  const workers = await startWorkers(config, logger, foundations);
  const { app, audit } = await buildHttp(config, logger, foundations);
  const url = await app.listen({ port: config.port, host: config.host });
  logger.info({ url, dataDir: config.dataDir }, 'suyuan embedded platform listening');
  return {
    url: url.replace('0.0.0.0', '127.0.0.1'),
    generatedAdminKey,
    async stop() {
      await app.close();
      await audit.close();
      for (const worker of workers) await worker.stop();
      await foundations.log.close();
      await foundations.store.close();
      logger.info('suyuan embedded platform stopped');
    },
  };
}
