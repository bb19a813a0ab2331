/**
 * Finds the Kafka broker the Kafka suites run against, and says which one it chose:
 *   1. KAFKA_BROKERS (comma-separated host:port), when set;
 *   2. else the local broker of `npm run kafka:start` (infra/kafka/kafka.sh), if it answers;
 *   3. else a broker started with testcontainers, when a Docker engine answers;
 *   4. else none: a failure under CI=true (the suites must run there), otherwise a plain reason,
 *      so that `npm test` reports which suites it skipped and why.
 * The outcome is kept for the rest of the process (one test file under vitest's isolation).
 */
import { Kafka, logLevel } from 'kafkajs';

export const LOCAL_KAFKA_BROKER = '127.0.0.1:19092';
/** A Confluent Platform image with KRaft, as @testcontainers/kafka's KafkaContainer expects. */
const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.9.0';
/** The KafkaContainer's plaintext listener for clients outside the container. */
const KAFKA_CONTAINER_PORT = 9093;
const PROBE_TIMEOUT_MS = 3_000;

export type KafkaResolution =
  | {
      readonly brokers: string[];
      /** Where the brokers came from, for the log line. */
      readonly source: string;
      /** Stops the broker when this process started it; otherwise does nothing. */
      stop(): Promise<void>;
    }
  | { readonly brokers: undefined; readonly reason: string };

const nothingToStop = (): Promise<void> => Promise.resolve();

/** True when a Kafka broker answers a metadata request at `broker` within a few seconds. */
export async function kafkaAnswers(broker: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'suyuan-test-probe',
    brokers: [broker],
    connectionTimeout: 1_000,
    requestTimeout: PROBE_TIMEOUT_MS,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  const probe = admin.connect().then(async () => {
    await admin.describeCluster();
    return true;
  });
  try {
    return await Promise.race([probe.catch(() => false), timedOut]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

async function dockerAnswers(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startKafkaContainer(): Promise<KafkaResolution> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
  return {
    brokers: [`${container.getHost()}:${container.getMappedPort(KAFKA_CONTAINER_PORT)}`],
    source: `a ${KAFKA_IMAGE} container (testcontainers)`,
    stop: async () => {
      await container.stop();
    },
  };
}

async function findKafka(): Promise<KafkaResolution> {
  const fromEnv = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (fromEnv.length > 0) {
    return { brokers: fromEnv, source: 'KAFKA_BROKERS', stop: nothingToStop };
  }
  if (await kafkaAnswers(LOCAL_KAFKA_BROKER)) {
    const source = 'the local broker (npm run kafka:start)';
    return { brokers: [LOCAL_KAFKA_BROKER], source, stop: nothingToStop };
  }
  if (await dockerAnswers()) return startKafkaContainer();
  const reason =
    `no Kafka broker: KAFKA_BROKERS is not set, nothing answers on ${LOCAL_KAFKA_BROKER} ` +
    '(start one with `npm run kafka:start`), and no Docker engine answers for testcontainers';
  if (process.env.CI === 'true') {
    throw new Error(`${reason}. CI runs the Kafka suites, so a missing broker is a failure.`);
  }
  return { brokers: undefined, reason };
}

let resolution: Promise<KafkaResolution> | undefined;

/** The broker for this process's Kafka tests; found (and logged) once. */
export function resolveKafka(): Promise<KafkaResolution> {
  resolution ??= findKafka().then((found) => {
    if (found.brokers)
      console.info(`[kafka] using ${found.brokers.join(',')} from ${found.source}`);
    return found;
  });
  return resolution;
}

/**
 * For a test file's top level: `const kafka = await kafkaForSuite('…')`, then
 * `describe.skipIf(!kafka.brokers)(…)`. Prints why the suite is skipped, when it is.
 */
export async function kafkaForSuite(suite: string): Promise<KafkaResolution> {
  const kafka = await resolveKafka();
  if (!kafka.brokers) console.warn(`[kafka] skipping ${suite}: ${kafka.reason}`);
  return kafka;
}

/** For code that cannot run without Kafka: the brokers, or an error naming what is missing. */
export async function requireKafka(): Promise<{ brokers: string[]; source: string }> {
  const kafka = await resolveKafka();
  if (!kafka.brokers) throw new Error(kafka.reason);
  return { brokers: kafka.brokers, source: kafka.source };
}
