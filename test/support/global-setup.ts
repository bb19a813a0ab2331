/**
 * vitest's global setup, in the main process, around the whole run. vitest.config.ts has found the
 * parts the suites need (parts.ts) and provided them; here the run:
 * - fails at once under CI=true when a part is missing (CI runs every suite);
 * - fetches the Kafka jars once when the run's own broker may be needed, so that no test's timeout
 *   has to cover a first download;
 * - stops that broker and removes its state when the run ends: at teardown after a passing or a
 *   failing run, and at process exit after Ctrl-C or SIGTERM (vitest exits without a teardown then);
 * - prints, as the run's last line, what was missing and the command that provides it.
 */
import type { TestProject } from 'vitest/node';
import { fetchKafkaJars, stopKafkaSh, stopKafkaShSync } from './own-kafka-broker.js';
import { missingPartsText, type KafkaPlan, type Parts } from './parts.js';

type OwnKafkaPlan = Extract<KafkaPlan, { kind: 'own' }>;

function describeOwn(plan: OwnKafkaPlan): string {
  return `the run's own Kafka broker on 127.0.0.1:${plan.port} (state in ${plan.stateDir})`;
}

/** Exit codes for the signals that end a run, as a shell reports them. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type EndingSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * Stops the run's own broker whichever way the run ends; returns the teardown's part. The signal
 * listeners stay for the whole run because `npm test` delivers Ctrl-C twice (from the terminal
 * and forwarded by npm): once vitest's one-shot listener is spent, a second SIGINT would otherwise
 * kill the process in the middle of stopping the broker.
 */
function stopOwnBrokerAtEnd(plan: OwnKafkaPlan): () => Promise<void> {
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    if (stopKafkaShSync(plan)) console.info(`[kafka] stopped ${describeOwn(plan)} at exit`);
  };
  const onSignal = (signal: EndingSignal) => {
    stopNow();
    process.exit(process.exitCode ?? SIGNAL_EXIT_CODES[signal]);
  };
  const signals = Object.keys(SIGNAL_EXIT_CODES) as EndingSignal[];
  process.once('exit', stopNow);
  for (const signal of signals) process.on(signal, onSignal);
  return async () => {
    if (!stopped && (await stopKafkaSh(plan))) console.info(`[kafka] stopped ${describeOwn(plan)}`);
    stopped = true;
    process.off('exit', stopNow);
    for (const signal of signals) process.off(signal, onSignal);
  };
}

export default async function setup(project: TestProject) {
  // Every project inherits this file (extends: true); the root project's setup is the one that
  // runs once per run, and what the root provides reaches every project.
  if (!project.isRootProject()) return;
  const parts: Parts = project.getProvidedContext().suyuanParts;
  if (parts.missing.length > 0 && process.env.CI === 'true') {
    throw new Error(
      `CI=true runs every suite, but a part is missing for ${missingPartsText(parts.missing)}.`,
    );
  }
  let stopKafka = () => Promise.resolve();
  if (parts.kafka.kind === 'own') {
    stopKafka = stopOwnBrokerAtEnd(parts.kafka);
    await fetchKafkaJars();
  }
  return async () => {
    await stopKafka();
    if (parts.missing.length > 0) console.info(`Skipped ${missingPartsText(parts.missing)}.`);
  };
}
