/**
 * The benchmark suite's runner (issue 7): runs the scenarios, prints each one's figures as they
 * come, and writes test/bench/results/bench-<scale>.{json,md}.
 *
 *   npm run bench -- [--scale small|large] [--seed N]
 *     [--only ingest,projection,trace,recall,online,epcis,regulator,public]
 *
 * Kafka comes from resolveKafka() (KAFKA_BROKERS, testcontainers, or a broker of its own); without
 * one, the Kafka figures say "not measured" and why, and the run still succeeds. A scenario that
 * throws is recorded with its error, the others still run, and the exit code is 1.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { resolveKafka } from '../support/kafka-broker.js';
import { gitCommit, machineInfo } from './support/machine.js';
import { describeQuietWait, waitForQuietMachine } from './support/quiet-machine.js';
import {
  figureRow,
  readPreviousScenarios,
  TABLE_HEADER,
  writeResults,
  type RecordedScenario,
} from './support/results.js';
import { round } from './support/stats.js';
import type { Scenario, ScenarioContext } from './scenarios/types.js';

const SCENARIOS = [
  'ingest',
  'projection',
  'trace',
  'recall',
  'online',
  'epcis',
  'regulator',
  'public',
] as const;
type ScenarioName = (typeof SCENARIOS)[number];

/** Scenario modules load only when they run; projection and trace come from another module set. */
async function loadScenario(name: ScenarioName): Promise<Scenario> {
  const url = new URL(`./scenarios/${name}.ts`, import.meta.url);
  if (!existsSync(url)) throw new Error(`test/bench/scenarios/${name}.ts does not exist yet`);
  const module = (await import(url.href)) as Record<string, unknown>;
  const scenario = module[`${name}Scenario`];
  if (typeof scenario !== 'function')
    throw new Error(`test/bench/scenarios/${name}.ts does not export ${name}Scenario`);
  return scenario as Scenario;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'small' },
      seed: { type: 'string', default: '7' },
      only: { type: 'string' },
    },
  });
  const scale = values.scale;
  if (scale !== 'small' && scale !== 'large')
    throw new Error(`--scale: expected small or large (got ${scale})`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed))
    throw new Error(`--seed: expected an integer (got ${values.seed})`);
  const only = values.only?.split(',').map((name) => name.trim()) ?? [...SCENARIOS];
  const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(
      `--only: unknown scenario ${unknown.join(', ')}; one of ${SCENARIOS.join(', ')}`,
    );
  return { scale, seed, only: SCENARIOS.filter((name) => only.includes(name)) } as const;
}

async function runScenario(
  name: ScenarioName,
  context: ScenarioContext,
): Promise<RecordedScenario> {
  context.progress(`── ${name} ──`);
  const quiet = await waitForQuietMachine();
  const waited = describeQuietWait(quiet);
  context.progress(waited);
  const started = performance.now();
  const startLoad = round(loadavg()[0] ?? NaN);
  const stamp = () => ({
    loadAverage: { start: startLoad, end: round(loadavg()[0] ?? NaN) },
    date: new Date().toISOString(),
    commit: gitCommit(),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  });
  try {
    const result = await (await loadScenario(name))(context);
    const notes = [...(result.notes ?? []), waited];
    console.log(`\n${name}\n${TABLE_HEADER}\n${result.figures.map(figureRow).join('\n')}`);
    for (const note of notes) console.log(`  note: ${note}`);
    return { ...result, notes, ...stamp() };
  } catch (error) {
    // A failure may carry a whole response body; the results keep its start.
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
    return { scenario: name, figures: [], error: message, ...stamp() };
  }
}

async function main() {
  const { scale, seed, only } = parseOptions();
  const kafka = await resolveKafka();
  const kafkaText = kafka.brokers
    ? `${kafka.brokers.join(',')} from ${kafka.source}`
    : `none (${kafka.reason}); Kafka figures not measured`;
  const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  progress(`scale ${scale}, seed ${seed}, scenarios ${only.join(', ')}; Kafka: ${kafkaText}`);
  const context: ScenarioContext = { scale, seed, kafkaBrokers: kafka.brokers, progress };
  const jsonPath = new URL(`./results/bench-${scale}.json`, import.meta.url);
  const mdPath = new URL(`./results/bench-${scale}.md`, import.meta.url);
  const recorded = new Map(
    (await readPreviousScenarios(jsonPath.pathname)).map((s) => [s.scenario, s] as const),
  );
  let failed = false;
  try {
    for (const name of only) {
      const result = await runScenario(name, context);
      failed ||= result.error !== undefined;
      recorded.set(name, result);
      // Written after every scenario, so a long run interrupted later keeps what it measured.
      await writeResults(
        {
          scale,
          seed,
          date: new Date().toISOString(),
          commit: gitCommit(),
          machine: machineInfo(),
          kafka: kafkaText,
          scenarios: SCENARIOS.flatMap((s) => recorded.get(s) ?? []),
        },
        jsonPath.pathname,
        mdPath.pathname,
      );
    }
  } finally {
    if (kafka.brokers) await kafka.stop();
  }
  progress(`wrote ${jsonPath.pathname} and ${mdPath.pathname}`);
  process.exitCode = failed ? 1 : 0;
}

await main();
