/**
 * Brokers of the tests' own: infra/kafka/kafka.sh with its own ports and state directory. The run's
 * shared broker is one (see kafka-broker.ts); a fault test that stops and restarts a broker takes
 * another, without disturbing the one the other suites share.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';

const KAFKA_SH = join(PROJECT_ROOT, 'infra', 'kafka', 'kafka.sh');
const run = promisify(execFile);

/** Where a broker of kafka.sh listens and keeps its data, pid file and log. */
export interface KafkaShSettings {
  readonly port: number;
  readonly controllerPort: number;
  readonly stateDir: string;
}

function kafkaShEnv(settings: KafkaShSettings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_PORT: String(settings.port),
    KAFKA_CONTROLLER_PORT: String(settings.controllerPort),
    KAFKA_STATE_DIR: settings.stateDir,
    // On a loaded 2-core machine a cold JVM takes well over kafka.sh's default minute.
    KAFKA_START_TIMEOUT: '150',
    KAFKA_STOP_TIMEOUT: '20',
  };
}

/** Runs `kafka.sh <command>` for that broker; rejects with its stderr when it fails. */
export async function kafkaSh(
  command: 'start' | 'stop',
  settings: KafkaShSettings,
): Promise<{ stdout: string; stderr: string }> {
  return run('bash', [KAFKA_SH, command], { env: kafkaShEnv(settings), timeout: 240_000 });
}

/** Stops that broker, if it runs, and removes its state. True when a broker was running. */
export async function stopKafkaSh(settings: KafkaShSettings): Promise<boolean> {
  try {
    return (await kafkaSh('stop', settings)).stdout.includes('kafka stopped');
  } finally {
    await rm(settings.stateDir, { recursive: true, force: true });
  }
}

/** stopKafkaSh for a process that is exiting: an `exit` listener cannot wait. */
export function stopKafkaShSync(settings: KafkaShSettings): boolean {
  try {
    const stdout = execFileSync('bash', [KAFKA_SH, 'stop'], {
      env: kafkaShEnv(settings),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return stdout.includes('kafka stopped');
  } finally {
    rmSync(settings.stateDir, { recursive: true, force: true });
  }
}

/** Says whether kafka.sh can start a broker here: undefined if it can, else what is missing. */
export async function kafkaShMissing(): Promise<string | undefined> {
  try {
    await run('bash', [KAFKA_SH, 'check'], { timeout: 60_000 });
    return undefined;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout?.trim();
    return stdout || `infra/kafka/kafka.sh check failed: ${String(error)}`;
  }
}

/** Resolves the broker's jars with Maven unless they are there already (a one-time download). */
export async function fetchKafkaJars(): Promise<void> {
  // stderr goes through, so that a first run says why it is downloading.
  const child = execFile('bash', [KAFKA_SH, 'fetch'], { timeout: 600_000 });
  child.stderr?.pipe(process.stderr);
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`infra/kafka/kafka.sh fetch exited ${code}`)),
    );
  });
}

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
  const settings = { port, controllerPort: port + 1, stateDir };
  const script = (command: 'start' | 'stop') => kafkaSh(command, settings).then(() => undefined);
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
