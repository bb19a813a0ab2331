/**
 * A Kafka broker of a test's own (infra/kafka/kafka.sh with its own ports and state directory),
 * for tests that stop and restart the broker without disturbing the one the other suites share.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const KAFKA_SH = fileURLToPath(new URL('../../infra/kafka/kafka.sh', import.meta.url));
const run = promisify(execFile);

export interface OwnKafkaBroker {
  readonly brokers: string[];
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after a bound (kafka.sh stop). */
  stop(): Promise<void>;
  /** Stops it and removes its state. */
  destroy(): Promise<void>;
}

export async function ownKafkaBroker(port: number): Promise<OwnKafkaBroker> {
  const stateDir = await mkdtemp(join(tmpdir(), 'suyuan-kafka-'));
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_STATE_DIR: stateDir,
    KAFKA_STOP_TIMEOUT: '20',
  };
  const script = (command: 'start' | 'stop') =>
    run('bash', [KAFKA_SH, command], { env, timeout: 180_000 }).then(() => undefined);
  await script('start');
  return {
    brokers: [`127.0.0.1:${port}`],
    start: () => script('start'),
    stop: () => script('stop'),
    async destroy() {
      await script('stop').catch(() => undefined);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
