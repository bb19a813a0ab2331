/**
 * The distributed platform as separate real processes: ingest, projector, trace API, recall and
 * the gateway, with real Kafka between them. The store is chDB served over the ClickHouse HTTP
 * interface by its own process (tools/store-server), because no ClickHouse server runs on this
 * machine; the services reach it through the same HTTP adapter they use against a real server.
 * Each platform gets its own Kafka namespace, so test files can share one broker.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor, TEST_ADMIN_KEY, type TestPlatform } from './platform.js';
import { waitForNoLag } from './consumer-lag.js';
import { spawnService, type ServiceProcess } from './service-process.js';
import { spawnStoreServer } from './store-server.js';

export interface DistributedPlatform extends TestPlatform {
  /** The running processes by role, for fault tests. */
  readonly services: Readonly<Record<ServiceRole, ServiceProcess>>;
  /** Kills the store (SIGKILL); `startStore` brings it back on the same address and data. */
  killStore(): Promise<void>;
  startStore(): Promise<void>;
  /** The environment every service got (Kafka, store, namespace), to start more instances. */
  readonly serviceEnv: Readonly<Record<string, string>>;
  /**
   * Starts another instance of a role (a second projector, ingest …); `env` adds to or overrides
   * `serviceEnv`, e.g. a data directory of its own, as another container has.
   */
  startInstance(role: ServiceRole, env?: Record<string, string>): Promise<ServiceProcess>;
  /**
   * Starts a role again on the port of its instance in `services` (which must have exited), so
   * the gateway reaches it at the same address; it becomes that role's instance in `services`.
   * `compiled` runs its build in dist/, as production does (see spawnService).
   */
  restart(role: ServiceRole, options?: { compiled?: boolean }): Promise<ServiceProcess>;
  /** Waits until the projector and the recall service have worked through the whole log. */
  waitUntilQuiet(): Promise<void>;
}

export type ServiceRole = 'ingest' | 'projector' | 'trace-api' | 'recall';

const ENTRY: Record<ServiceRole, string> = {
  ingest: 'services/ingest/main.ts',
  projector: 'services/projector/main.ts',
  'trace-api': 'services/trace-api/main.ts',
  recall: 'services/recall/main.ts',
};

export async function startDistributedPlatform(
  brokers: readonly string[],
  env: Record<string, string> = {},
): Promise<DistributedPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-distributed-'));
  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    await Promise.all(started.splice(0).map((service) => service.stop()));
  };
  try {
    const spawnStore = async (port: number) => {
      const store = await spawnStoreServer({ dataDir, port });
      started.push(store);
      return store;
    };
    let storeServer = await spawnStore(0);
    const storePort = Number(new URL(storeServer.url).port);
    const serviceEnv: Record<string, string> = {
      PORT: '0',
      HOST: '127.0.0.1',
      SUYUAN_DATA_DIR: dataDir,
      // One signing key for every projector, even one given a data directory of its own, as
      // docker-compose.yml mounts one key file into all of them.
      SUYUAN_SIGNING_KEY_FILE: join(dataDir, 'keys', 'checkpoint-signing-key.pem'),
      SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY,
      EVENT_LOG: 'kafka',
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_NAMESPACE: `test-${randomUUID().slice(0, 8)}.`,
      KAFKA_TOPIC_PARTITIONS: '3',
      STORE: 'clickhouse',
      CLICKHOUSE_URL: storeServer.url,
      STARTUP_TIMEOUT_MS: '30000',
      LOG_LEVEL: 'info',
      // The gateway names the client in X-Forwarded-For, as in docker-compose.yml.
      SUYUAN_TRUST_PROXY: 'loopback',
      ...env,
    };
    // Metrics name the consumer groups as Kafka does, in the platform's namespace.
    const namespace = serviceEnv.KAFKA_NAMESPACE ?? '';
    const projectorGroup = `${namespace}suyuan-projector`;
    /** Every projector started, the newest last: the one a settled platform is asked about. */
    let projectors: ServiceProcess[] = [];
    const startInstance = async (
      role: ServiceRole,
      port = '0',
      compiled = false,
      env: Record<string, string> = {},
    ) => {
      const service = await spawnService(
        ENTRY[role],
        { ...serviceEnv, ...env, PORT: port },
        { name: role, compiled },
      );
      started.push(service);
      if (role === 'projector') projectors = [...projectors, service];
      return service;
    };
    // The ingest service creates the topics and the admin; the others wait for it.
    const ingest = await startInstance('ingest');
    const [projector, traceApi, recall] = await Promise.all([
      startInstance('projector'),
      startInstance('trace-api'),
      startInstance('recall'),
    ]);
    const gateway = await spawnService(
      'services/gateway/main.ts',
      {
        // The test's settings reach the gateway too, as docker-compose.yml gives every container
        // one environment: a body limit the services have and the gateway not would let a body
        // past the gateway that ingest refuses halfway.
        ...env,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        INGEST_URL: ingest.url,
        TRACE_API_URL: traceApi.url,
        RECALL_URL: recall.url,
      },
      { name: 'gateway' },
    );
    started.push(gateway);
    const client = clientFor(
      gateway.url,
      dataDir,
      async () => {
        await stopAll();
        await rm(dataDir, { recursive: true, force: true });
      },
      () => waitForNoLag([{ url: (projectors.at(-1) ?? projector).url, groups: [projectorGroup] }]),
    );
    const services: Record<ServiceRole, ServiceProcess> = {
      ingest,
      projector,
      'trace-api': traceApi,
      recall,
    };
    return {
      ...client,
      services,
      serviceEnv,
      startInstance: (role, env) => startInstance(role, '0', false, env),
      async restart(role, options = {}) {
        const port = new URL(services[role].url).port;
        services[role] = await startInstance(role, port, options.compiled);
        return services[role];
      },
      killStore: () => storeServer.kill(),
      waitUntilQuiet: () =>
        waitForNoLag([
          { url: (projectors.at(-1) ?? projector).url, groups: [projectorGroup] },
          { url: services.recall.url, groups: [`${namespace}suyuan-recall`] },
        ]),
      async startStore() {
        storeServer = await spawnStore(storePort);
      },
    };
  } catch (error) {
    await stopAll();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
