/**
 * The ClickHouse HTTP interface over chDB (tools/store-server), as a child process: what the
 * distributed platform and the store's server-mode tests talk to.
 */
import { spawnService, type ServiceProcess } from './service-process.js';

export interface StoreServerOptions {
  /** Where chDB keeps its data. */
  readonly dataDir: string;
  /** 0 picks a free port; a restarted server takes its old one. */
  readonly port?: number;
  /** The ClickHouse user the server requires, with its password. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** More environment for the process. */
  readonly env?: Record<string, string>;
}

export function spawnStoreServer(options: StoreServerOptions): Promise<ServiceProcess> {
  const { dataDir, port = 0, credentials, env } = options;
  return spawnService(
    'tools/store-server/main.ts',
    {
      CHDB_HTTP_PORT: String(port),
      SUYUAN_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...(credentials && {
        CLICKHOUSE_USER: credentials.username,
        CLICKHOUSE_PASSWORD: credentials.password,
      }),
      ...env,
    },
    {
      name: 'store-server',
      listeningPattern: /"url":"(http:\/\/[^"]+)".*"msg":"chdb http server listening"/,
    },
  );
}
