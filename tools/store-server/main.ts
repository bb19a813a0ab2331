/**
 * Serves chDB over the ClickHouse HTTP interface, for machines without a ClickHouse server
 * (development, and CI on this machine). Distributed mode runs several service processes, and
 * chDB binds one data directory per process, so this process owns the store and the services use
 * the ClickHouse server adapter (STORE=clickhouse, CLICKHOUSE_URL) pointed at it. Production uses
 * a real ClickHouse server and does not run this.
 *
 * Environment: CHDB_HTTP_PORT (8123; 0 picks a free port), CHDB_HTTP_HOST (127.0.0.1),
 * SUYUAN_DATA_DIR (./data; chDB keeps its data in <dir>/clickhouse), CLICKHOUSE_USER and
 * CLICKHOUSE_PASSWORD (when either is set, queries must present them), LOG_LEVEL.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { parseEnvironment } from '../../services/common/config.js';
import { runService } from '../../services/common/runtime/run-service.js';
import { createChdbHttpServer } from './chdb-http-server.js';

const environmentSchema = z.object({
  CHDB_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8123),
  CHDB_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  CLICKHOUSE_USER: z.string().min(1).optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
});

runService('store-server', async (config, logger) => {
  const env = parseEnvironment(environmentSchema, process.env);
  const requiresAuth = env.CLICKHOUSE_USER !== undefined || env.CLICKHOUSE_PASSWORD !== undefined;
  const dataDir = join(config.dataDir, 'clickhouse');
  const server = createChdbHttpServer({
    dataDir,
    logger,
    ...(requiresAuth
      ? {
          credentials: {
            username: env.CLICKHOUSE_USER ?? 'default',
            password: env.CLICKHOUSE_PASSWORD ?? '',
          },
        }
      : {}),
  });
  const url = await server.listen(env.CHDB_HTTP_PORT, env.CHDB_HTTP_HOST);
  logger.info({ url, dataDir, auth: requiresAuth }, 'chdb http server listening');
  return { url, stop: () => server.close() };
});
