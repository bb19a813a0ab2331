/**
 * The Kafka broker the Kafka suites run against. Which one is planned once per run, in the main
 * process (planKafka in parts.ts, from vitest.config.ts), in this order:
 *   1. KAFKA_BROKERS (comma-separated host:port), when set;
 *   2. else a broker started with testcontainers, when a Docker engine answers (one per test
 *      process that needs it; testcontainers removes it when that process ends);
 *   3. else the run's own broker: infra/kafka/kafka.sh with two free ports and a state directory of
 *      its own, so it never meets a broker the user runs (not even `npm run kafka:start`'s on
 *      19092). The first test process that needs it starts it, so a run without Kafka suites starts
 *      no JVM; the global teardown stops it and removes its state, also on Ctrl-C or a failure;
 *   4. else none: tests tagged `kafka` are skipped, and the run's last line says why.
 * The bench, outside vitest, takes the same order through resolveKafka().
 */
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { kafkaSh, kafkaShMissing, stopKafkaSh, type KafkaShSettings } from './own-kafka-broker.js';
import { planKafka, type KafkaPlan } from './parts.js';

/** A Confluent Platform image with KRaft, as @testcontainers/kafka's KafkaContainer expects. */
const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.9.0';
/** The KafkaContainer's plaintext listener for clients outside the container. */
const KAFKA_CONTAINER_PORT = 9093;
const PROBE_TIMEOUT_MS = 3_000;

export interface StartedKafka {
  readonly brokers: string[];
  /** Where the brokers came from, for the log line. */
  readonly source: string;
  /** Stops the broker when this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export type KafkaResolution =
  StartedKafka | { readonly brokers: undefined; readonly reason: string };

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

async function startKafkaContainer(): Promise<StartedKafka> {
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

/** Starts the run's own broker, or finds it started by another test process (kafka.sh locks). */
async function startOwnBroker(settings: KafkaShSettings): Promise<StartedKafka> {
  const { stderr } = await kafkaSh('start', settings);
  const how = stderr.includes('starting broker') ? 'started now' : 'already running';
  return {
    brokers: [`127.0.0.1:${settings.port}`],
    source: `the run's own broker (infra/kafka/kafka.sh, ${how}, state in ${settings.stateDir})`,
    stop: async () => {
      await stopKafkaSh(settings);
    },
  };
}

/** Brings up the planned broker; throws, naming what is missing, when there is none. */
export async function startKafka(plan: KafkaPlan): Promise<StartedKafka> {
  switch (plan.kind) {
    case 'brokers': {
      const nothingToStop = () => Promise.resolve();
      return { brokers: plan.brokers, source: 'KAFKA_BROKERS', stop: nothingToStop };
    }
    case 'container':
      return startKafkaContainer();
    case 'own':
      return startOwnBroker(plan);
    case 'none':
      throw new Error(`no Kafka broker: ${plan.reason}`);
  }
}

let required: Promise<StartedKafka> | undefined;

/**
 * In a test process: this run's broker as the main process planned it, started on first use. The
 * run stops it, not the test, so no stop() is offered here.
 */
export async function requireKafka(): Promise<{ brokers: string[]; source: string }> {
  required ??= startKafka(inject('suyuanParts').kafka).then((kafka) => {
    console.info(`[kafka] using ${kafka.brokers.join(',')} from ${kafka.source}`);
    return kafka;
  });
  const { brokers, source } = await required;
  return { brokers, source };
}

/** Outside vitest (the bench): plans and starts a broker for this process; stop() ends it. */
export async function resolveKafka(): Promise<KafkaResolution> {
  const plan = await planKafka(await kafkaShMissing());
  if (plan.kind === 'none')
    return { brokers: undefined, reason: `no Kafka broker: ${plan.reason}` };
  return startKafka(plan);
}
