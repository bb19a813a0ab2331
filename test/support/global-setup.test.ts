/**
 * What `npm test` does on a machine as it finds it (issue 19), checked on real vitest runs of the
 * fixture test (fixtures/needs-kafka.fixture.ts) with the project's config, parts and global setup:
 * with no broker given, the run starts a Kafka broker of its own and leaves no process and no state
 * behind, whether the run passes, fails or is interrupted with Ctrl-C; where Java is missing, the
 * Kafka tests are skipped and the last line says why; under CI=true a missing part fails the run.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import { dockerAnswers } from './parts.js';
import { pollUntil } from './poll.js';

const FIXTURE_CONFIG = 'test/support/fixtures/fixture-run.config.ts';
const RUN_TIMEOUT_MS = 300_000;
const scratch = await mkdtemp(join(tmpdir(), 'suyuan-run-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Starts `npx vitest run` on the fixture in a process group of its own, as a terminal would (so
 * that a signal reaches the whole group, npx included), with the machine's environment minus what
 * would name a broker or say CI, plus `env`.
 */
function startRun(env: NodeJS.ProcessEnv, jsonReport?: string) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const name of Object.keys(childEnv)) {
    if (name.startsWith('VITEST') || name === 'FORCE_COLOR') delete childEnv[name];
  }
  for (const name of ['KAFKA_BROKERS', 'CI'] as const) if (!(name in env)) delete childEnv[name];
  const reporters = jsonReport
    ? ['--reporter=default', '--reporter=json', `--outputFile.json=${jsonReport}`]
    : [];
  const child = spawn('npx', ['vitest', 'run', '--config', FIXTURE_CONFIG, ...reporters], {
    cwd: PROJECT_ROOT,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ended = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
  return { child, output: () => output, ended };
}

/** The run's own broker, as the fixture's test process reports it. */
function ownBrokerIn(output: string): { port: string; stateDir: string } | undefined {
  const match =
    /\[kafka\] using 127\.0\.0\.1:(\d+) from the run's own broker \(infra\/kafka\/kafka\.sh, started now, state in (\S+)\)/.exec(
      output,
    );
  return match?.[1] && match[2] ? { port: match[1], stateDir: match[2] } : undefined;
}

/** True when some process's command line names `text` (the broker's JVM names its state dir). */
async function processNaming(text: string): Promise<boolean> {
  const found = await promisify(execFile)('pgrep', ['-f', text]).then(
    () => true,
    (error: { code?: number }) => {
      if (error.code === 1) return false;
      throw error;
    },
  );
  return found;
}

/** The run started its own broker, stopped it, and left neither its process nor its state. */
async function expectOwnBrokerGone(run: Run): Promise<void> {
  const broker = ownBrokerIn(run.output);
  expect(broker, run.output).toBeDefined();
  const { port, stateDir } = broker ?? { port: '', stateDir: '' };
  expect(run.output).toContain(`[kafka] stopped the run's own Kafka broker on 127.0.0.1:${port}`);
  expect(existsSync(stateDir)).toBe(false);
  expect(await processNaming(stateDir)).toBe(false);
}

// A Docker engine takes precedence over the run's own broker, so these runs cannot happen there.
describe.skipIf(await dockerAnswers())(
  'npm test where no broker is given and no Docker engine answers',
  () => {
    describe('with Java 17 and Maven', { tags: ['own-kafka'] }, () => {
      it(
        'starts a broker of its own, and stops it and removes its state when the run passes',
        { timeout: RUN_TIMEOUT_MS },
        async () => {
          const run = await startRun({}).ended;
          expect(run.code, run.output).toBe(0);
          await expectOwnBrokerGone(run);
        },
      );

      it(
        'stops the broker and removes its state when the run fails',
        { timeout: RUN_TIMEOUT_MS },
        async () => {
          const run = await startRun({ SUYUAN_FIXTURE_THEN: 'fail' }).ended;
          expect(run.code, run.output).toBe(1);
          expect(run.output).toContain('failing on purpose');
          await expectOwnBrokerGone(run);
        },
      );

      it(
        'stops the broker and removes its state on Ctrl-C',
        { timeout: RUN_TIMEOUT_MS },
        async () => {
          const started = startRun({ SUYUAN_FIXTURE_THEN: 'wait' });
          await pollUntil(() => ownBrokerIn(started.output()), {
            timeoutMs: 240_000,
            intervalMs: 500,
            what: "the run's own broker to start",
          });
          // The terminal's Ctrl-C: SIGINT to the whole process group (npx forwards one more).
          process.kill(-(started.child.pid ?? 0), 'SIGINT');
          const run = await started.ended;
          expect(run.code, run.output).not.toBe(0);
          await expectOwnBrokerGone(run);
        },
      );
    });

    it(
      'skips the Kafka tests where Java is missing, and its last line says why and what provides it',
      { timeout: RUN_TIMEOUT_MS },
      async () => {
        const report = join(scratch, 'no-java.json');
        const run = await startRun({ JAVA_HOME: '/nonexistent' }, report).ended;
        expect(run.code, run.output).toBe(0);
        const results = JSON.parse(readFileSync(report, 'utf8')) as {
          numPassedTests: number;
          numPendingTests: number;
        };
        expect(results).toMatchObject({ numPassedTests: 0, numPendingTests: 1 });
        // Other parts missing on this machine would follow on the same line.
        expect(run.output.trim().split('\n').at(-1)).toMatch(
          new RegExp(
            '^Skipped the tests tagged kafka, own-kafka and the distributed project: no Kafka ' +
              'broker \\(KAFKA_BROKERS is not set, no Docker engine answers, and ' +
              'JAVA_HOME=/nonexistent has no bin/java\\); to run them: apt-get install ' +
              'openjdk-17-jre-headless maven, or set KAFKA_BROKERS[.;]',
          ),
        );
      },
    );

    it(
      'fails under CI=true where Java is missing, naming it',
      { timeout: RUN_TIMEOUT_MS },
      async () => {
        const run = await startRun({ JAVA_HOME: '/nonexistent', CI: 'true' }).ended;
        expect(run.code, run.output).not.toBe(0);
        expect(run.output).toContain(
          'CI=true runs every suite, but a part is missing for the tests tagged kafka, own-kafka',
        );
        expect(run.output).toContain('JAVA_HOME=/nonexistent has no bin/java');
      },
    );
  },
);
