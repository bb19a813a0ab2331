/**
 * The parts some suites need besides Node: a Kafka broker, Java with Maven for brokers of a test's
 * own, Debian's Chromium, a Chinese font, and a compose loader. vitest.config.ts finds them once per
 * run, before any test process starts: each part is a vitest tag, a suite that needs one carries
 * the tag (`describe('…', { tags: ['kafka'] }, …)`, or `@module-tag` for a whole file), and the
 * tag skips where the part is missing. The global setup then ends the run with one line naming what
 * was missing and the command that provides it; under CI=true a missing part fails the run instead.
 * Runs in the main process only (no `vitest` runtime import here).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import { CLICKHOUSE_CONNECT, findPython, OPENPYXL } from './python-client.js';
import { kafkaShMissing, type KafkaShSettings } from './own-kafka-broker.js';

const run = promisify(execFile);
export const CHROMIUM_PATH = '/usr/bin/chromium';
const JAVA_INSTALL = 'apt-get install openjdk-17-jre-headless maven';

export const PART_TAGS = {
  kafka: 'needs a Kafka broker: KAFKA_BROKERS, a Docker engine, or Java 17 and Maven',
  'own-kafka': 'starts Kafka brokers of its own with infra/kafka/kafka.sh (Java 17 and Maven)',
  chromium: `drives Debian's Chromium at ${CHROMIUM_PATH}`,
  'zh-font': 'takes screenshots of Chinese text: needs a Chinese font (fc-list :lang=zh)',
  'compose-lint': 'loads docker-compose.yml with a docker compose plugin or Go',
  'clickhouse-connect': 'drives the store server with the stock Python client, clickhouse-connect',
  openpyxl: "opens the platform's XLSX files with Python's openpyxl",
} as const;
export type PartTag = keyof typeof PART_TAGS;

/** Which broker this run uses; serializable, so the main process can hand it to test processes. */
export type KafkaPlan =
  | { readonly kind: 'brokers'; readonly brokers: string[] }
  | { readonly kind: 'container' }
  | ({ readonly kind: 'own' } & KafkaShSettings)
  | { readonly kind: 'none'; readonly reason: string };

/** One missing thing, the tags whose tests it skips, and the command that provides it. */
export interface MissingPart {
  readonly tags: readonly PartTag[];
  readonly why: string;
  readonly install: string;
}

export interface Parts {
  readonly kafka: KafkaPlan;
  readonly missing: readonly MissingPart[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    suyuanParts: Parts;
  }
}

export async function dockerAnswers(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** A port nothing listens on now, from the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Plans this run's broker (see kafka-broker.ts for the order); starts nothing. `kafkaSh` is what
 * keeps infra/kafka/kafka.sh from running a broker here, undefined when nothing does.
 */
export async function planKafka(kafkaSh: string | undefined): Promise<KafkaPlan> {
  const brokers = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (brokers.length > 0) return { kind: 'brokers', brokers };
  if (await dockerAnswers()) return { kind: 'container' };
  if (kafkaSh !== undefined) {
    return {
      kind: 'none',
      reason: `KAFKA_BROKERS is not set, no Docker engine answers, and ${kafkaSh}`,
    };
  }
  const [port, controllerPort] = [await freePort(), await freePort()];
  // Made by kafka.sh on first start; the global teardown removes it.
  const stateDir = join(tmpdir(), `suyuan-test-kafka-${randomUUID().slice(0, 8)}`);
  return { kind: 'own', port, controllerPort, stateDir };
}

async function chineseFontMissing(): Promise<boolean> {
  const fonts = await run('fc-list', [':lang=zh']).catch(() => ({ stdout: '' }));
  return fonts.stdout.trim() === '';
}

async function composeLoaderMissing(): Promise<boolean> {
  const lint = join(PROJECT_ROOT, 'infra', 'compose-lint.sh');
  const engine = await run('bash', [lint, '--engine']).catch(() => ({ stdout: 'none' }));
  return engine.stdout.trim() === 'none';
}

/**
 * The parts of this run. vitest evaluates its config once for the root and again for each project,
 * so the answer is kept on the process: one run, one plan (one broker, one state directory).
 */
export function findParts(): Promise<Parts> {
  const store = globalThis as unknown as Record<symbol, Promise<Parts> | undefined>;
  const key = Symbol.for('suyuan.test.parts');
  return (store[key] ??= lookForParts());
}

async function lookForParts(): Promise<Parts> {
  const [[kafkaSh, kafka], noFont, noComposeLoader, python, openpyxl] = await Promise.all([
    kafkaShMissing().then(async (why) => [why, await planKafka(why)] as const),
    chineseFontMissing(),
    composeLoaderMissing(),
    findPython(CLICKHOUSE_CONNECT),
    findPython(OPENPYXL),
  ]);
  const missing: MissingPart[] = [];
  if (kafka.kind === 'none') {
    const install = `${JAVA_INSTALL}, or set KAFKA_BROKERS`;
    missing.push({
      tags: ['kafka', 'own-kafka'],
      why: `no Kafka broker (${kafka.reason})`,
      install,
    });
  } else if (kafkaSh !== undefined) {
    missing.push({ tags: ['own-kafka'], why: kafkaSh, install: JAVA_INSTALL });
  }
  if (!existsSync(CHROMIUM_PATH)) {
    const why = `no Chromium at ${CHROMIUM_PATH}`;
    missing.push({ tags: ['chromium'], why, install: 'apt-get install chromium' });
  }
  if (noFont) {
    const why = 'no Chinese font (fc-list :lang=zh lists none)';
    missing.push({ tags: ['zh-font'], why, install: 'apt-get install fonts-wqy-zenhei' });
  }
  if (noComposeLoader) {
    const why = 'neither a docker compose plugin nor Go is installed';
    missing.push({
      tags: ['compose-lint'],
      why,
      install: 'Go 1.24 or later from https://go.dev/dl/',
    });
  }
  if (python.python === undefined) {
    missing.push({
      tags: ['clickhouse-connect'],
      why: python.reason,
      install: CLICKHOUSE_CONNECT.install,
    });
  }
  if (openpyxl.python === undefined) {
    missing.push({ tags: ['openpyxl'], why: openpyxl.reason, install: OPENPYXL.install });
  }
  return { kafka, missing };
}

/** The tag definitions for vitest.config.ts: a missing part's tag skips its tests. */
export function partTags(parts: Parts) {
  const skipped = new Set(parts.missing.flatMap((part) => part.tags));
  return Object.entries(PART_TAGS).map(([name, description]) => ({
    name,
    description,
    ...(skipped.has(name as PartTag) ? { skip: true } : {}),
  }));
}

/** What each missing part keeps from running, why, and what provides it, as one line's words. */
export function missingPartsText(missing: readonly MissingPart[]): string {
  const parts = missing.map((part) => {
    // The distributed project's files carry `platform`, which needs Kafka there (vitest.config.ts).
    const project = part.tags.includes('kafka') ? ' and the distributed project' : '';
    return `the tests tagged ${part.tags.join(', ')}${project}: ${part.why}; to run them: ${part.install}`;
  });
  return parts.join('; ');
}
