/**
 * What the processes write to stdout, as an operator reads it: JSON lines with each key once when
 * piped (to a collector, or here), readable lines on a terminal, and no topic-creation warning
 * at every start.
 * The terminal is a real pseudo-terminal, from util-linux's `script`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produced, shipped } from '../support/event-builders.js';
import {
  startDistributedPlatform,
  type DistributedPlatform,
} from '../support/distributed-platform.js';
import { requireKafka } from '../support/kafka-broker.js';
import { duplicateKeys, jsonLogLines } from '../support/log-lines.js';
import { spawnPlatform } from '../support/platform-process.js';
import { clientFor, TEST_ADMIN_KEY } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

/** Every line is a JSON object, and no object in it repeats a key. */
function expectCleanJsonLines(name: string, output: string) {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  expect(lines.length, `${name} logged nothing`).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line.startsWith('{'), `${name}: not a JSON line: ${line}`).toBe(true);
    expect(duplicateKeys(line), `${name}: ${line}`).toEqual([]);
  }
}

describe('logs of the embedded platform', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'suyuan-logs-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('are JSON lines when piped, each key once, naming the service and the component', async () => {
    const platform = await spawnPlatform(dataDir, { LOG_LEVEL: 'debug' });
    try {
      const client = clientFor(platform.url, dataDir, () => Promise.resolve());
      const farm = await client.createParty('farm-logs');
      expect((await client.postEvents(farm, [produced('LOG-1')])).status).toBe(202);
      await client.waitForBatch(farm, 'LOG-1');
    } finally {
      await platform.stop();
    }
    expectCleanJsonLines('the embedded platform', platform.output());
    const lines = jsonLogLines(platform.output()).map(({ line }) => line);
    expect(new Set(lines.map((line) => line.service))).toEqual(new Set(['embedded']));
    const components = new Set(lines.map((line) => line.component));
    for (const component of ['projector', 'recall-service', 'notifier', 'http']) {
      expect(components).toContain(component);
    }
  });

  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  /** Starts the platform on a pseudo-terminal and returns what it printed until it listened. */
  async function onTerminal(env: Record<string, string>): Promise<string> {
    const main = fileURLToPath(new URL('../../services/embedded/main.ts', import.meta.url));
    const command = `exec '${process.execPath}' --import tsx '${main}'`;
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        SUYUAN_DATA_DIR: dataDir,
        SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY,
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      // The last line of start-up: runService takes signals from then on. A Ctrl-C on an earlier
      // line ("platform listening") could end the process before its lines were flushed.
      await pollUntil(() => /service listening/.test(output), {
        what: 'the platform on a terminal to listen',
        timeoutMs: 60_000,
        intervalMs: 50,
      });
    } finally {
      // Ctrl-C on the terminal, as a user stops it.
      child.stdin.write('\x03');
      await exited;
    }
    return output;
  }

  it.skipIf(!hasScript)(
    `are readable lines on a terminal, and JSON there with LOG_PRETTY=false${hasScript ? '' : ' — skipped: no `script` (util-linux) for a pseudo-terminal'}`,
    async () => {
      const readable = await onTerminal({});
      expect(readable).toMatch(/INFO\b.*service listening/);
      expect(readable).not.toMatch(/^\{"level"/m);
      const json = await onTerminal({ LOG_PRETTY: 'false' });
      expect(json).toMatch(/^\{"level":30,.*"msg":"service listening"\}\r?$/m);
    },
  );
});

describe('logs of the distributed services', { tags: ['kafka'] }, () => {
  let platform: DistributedPlatform;
  beforeAll(async () => {
    platform = await startDistributedPlatform((await requireKafka()).brokers);
    const plant = await platform.createParty('plant-logs');
    await platform.createParty('shop-logs');
    const events = [produced('DLOG-1'), shipped('S-DLOG', 'shop-logs', ['DLOG-1'])];
    expect((await platform.postEvents(plant, events)).status).toBe(202);
    await platform.waitForBatch(plant, 'DLOG-1');
    await platform.waitUntilQuiet();
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('are JSON lines with each key once, and no service asks for a topic that exists', () => {
    for (const [role, service] of Object.entries(platform.services)) {
      expectCleanJsonLines(role, service.output());
      // Only the first service to start creates the topics; the broker refuses a request to
      // create an existing one, which kafkajs logged as an error at every start. (Other
      // warnings, such as a dependency still starting on a loaded machine, are legitimate.)
      const topicWarnings = jsonLogLines(service.output()).filter(
        ({ line, text }) => Number(line.level) >= 40 && /CreateTopics|Topic creation/.test(text),
      );
      expect(
        topicWarnings.map(({ text }) => text),
        role,
      ).toEqual([]);
    }
  });
});
