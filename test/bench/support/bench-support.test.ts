/**
 * The benchmark suite's own arithmetic and plumbing, which its figures stand on: the load loop
 * counts every event of concurrent clients, percentiles pick the right sample, the profile
 * summary attributes self time (native code to its caller), the profiler preload really writes a
 * profile for a child process, the Markdown table marks targets and unmeasured figures, and the
 * raw yardsticks get the records ingest appends, the ingest floor answers as the platform, and
 * the answer floor sends what the platform sent, a graph's copy is read through, and a
 * process's CPU is counted by thread.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { distinctRequests, startAnswerFloor } from './answer-floor.js';
import { cycle } from './http-load.js';
import { CATCH_UP_MESSAGES } from '../../../services/projector/serving-catch-up.js';
import { pollUntil } from '../../support/poll.js';
import { createIngestWorkload, identifiedLogRecordsFor, logRecordsFor } from './ingest-events.js';
import { startIngestFloor } from './ingest-floor.js';
import { meanOfRounds } from './ingest-kafka.js';
import { measureRawLog, type IngestLoad } from './ingest-loads.js';
import { peakOf, runLoad } from './load.js';
import {
  cpuProfileEnv,
  profilesOf,
  startCpuProfile,
  stopCpuProfile,
  summarizeProfile,
  summarizeProfileFile,
} from './profile-summary.js';
import { markdownOf, type BenchResults } from './results.js';
import { catchUpProgress } from './serving-index.js';
import { describeCpu, platformCpu } from './platform-cpu.js';
import { percentile, summary } from './stats.js';
import { warmFiles } from './warm-files.js';

describe('runLoad', () => {
  it('counts every event sent by concurrent clients and keeps at most `concurrency` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const result = await runLoad(4, 40, async (index) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1 + (index % 3)));
      inFlight -= 1;
      return 10;
    });
    expect(result.events).toBe(400);
    expect(result.latencyMs.n).toBe(40);
    expect(most).toBe(4);
    expect(result.eventsPerSecond).toBeGreaterThan(0);
  });

  it('peakOf picks the run with the highest throughput', async () => {
    const slow = await runLoad(1, 2, () => new Promise((r) => setTimeout(() => r(1), 20)));
    const fast = await runLoad(2, 2, () => Promise.resolve(1000));
    expect(peakOf([slow, fast])).toBe(fast);
  });
});

describe('the raw yardsticks', () => {
  it('get the records ingest appends: the Kafka producer their key and bytes, the embedded log also their ids', () => {
    const requests = createIngestWorkload(7, 40_000).take(2, 1000);
    const identified = identifiedLogRecordsFor(requests);
    const plain = logRecordsFor(requests);
    expect(identified.map((records) => records.length)).toEqual(requests.map((r) => r.events));
    const ids = identified.flat().map((record) => record.identity.id);
    const bodies = requests.flatMap(
      (request) => (JSON.parse(request.body) as { events: Array<{ eventId: string }> }).events,
    );
    expect(ids).toEqual(bodies.map((event) => event.eventId));
    expect(new Set(identified.flat().map((record) => record.identity.fingerprint)).size).toBe(
      ids.length,
    );
    // Keyed alike; the bytes differ only in the recordedAt each call stamps.
    expect(plain.flat().map((record) => record.key)).toEqual(
      identified.flat().map((record) => record.key),
    );
  });

  it('appends every request to the embedded log without a clash of ids, counting each event', async () => {
    const plan = {
      batchRequests: 3,
      batchClients: [1, 2],
      singleRequests: 10,
      singleClients: [4],
      profileRequests: 0,
      chainBatches: 40_000,
    };
    const runs = await measureRawLog(createIngestWorkload(7, 40_000), plan, () => undefined);
    expect(runs.batch.map((run) => run.events)).toEqual([3000, 3000]);
    expect(runs.single.map((run) => run.events)).toEqual([10]);
  });
});

describe('meanOfRounds', () => {
  it('makes each client count the mean of its two rounds, and sums what was sent', () => {
    const load = (concurrency: number, eventsPerSecond: number, p99: number): IngestLoad => ({
      concurrency,
      requests: 20,
      events: 20_000,
      seconds: 20_000 / eventsPerSecond,
      eventsPerSecond,
      latencyMs: { n: 20, p50: p99 / 2, p99, max: p99 * 2 },
      appendMsMean: p99 / 4,
    });
    const first = {
      batch: [load(1, 10_000, 100), load(4, 20_000, 300)],
      single: [load(16, 300, 40)],
    };
    const second = {
      batch: [load(1, 12_000, 120), load(4, 10_000, 500)],
      single: [load(16, 100, 80)],
    };
    const mean = meanOfRounds(first, second);
    expect(
      mean.batch.map((run) => [run.concurrency, run.eventsPerSecond, run.latencyMs.p99]),
    ).toEqual([
      [1, 11_000, 110],
      [4, 15_000, 400],
    ]);
    expect(mean.single[0]).toMatchObject({
      concurrency: 16,
      eventsPerSecond: 200,
      requests: 40,
      events: 40_000,
      latencyMs: { n: 40, p50: 30, p99: 60, max: 160 },
      appendMsMean: 15,
    });
  });
});

describe('percentiles', () => {
  it('are nearest-rank over the sorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
    expect(summary(samples)).toEqual({ n: 100, p50: 50, p99: 99, max: 100 });
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarizeProfile', () => {
  it('sums self time per function from the sample deltas and names native code by its caller', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 4] },
        {
          id: 2,
          callFrame: frame('append', 'file:///app/node_modules/better-sqlite3/lib/x.js'),
          children: [3],
        },
        { id: 3, callFrame: frame('run') },
        { id: 4, callFrame: frame('(idle)') },
      ],
      samples: [3, 3, 2, 4],
      timeDeltas: [1000, 2000, 500, 6500],
    };
    const result = summarizeProfile(profile);
    expect(result).toMatchObject({ totalMs: 10, idleMs: 7 });
    expect(result.functions[0]).toEqual({ name: '(idle)', selfMs: 7, percent: 65 });
    expect(result.functions[1]?.name).toBe('run ← append (better-sqlite3: x.js:1)');
    expect(result.functions[1]?.selfMs).toBe(3);
    expect(result.areas.find((area) => area.name === 'better-sqlite3')?.selfMs).toBe(4);
  });
});

describe('cpuProfileEnv', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('profiles a child process from the signal to its exit', async () => {
    dir = await mkdtemp(join(tmpdir(), 'suyuan-bench-profile-test-'));
    const child = spawn(
      process.execPath,
      [
        '-e',
        // On the signal (after the preload's own listener has started the profiler), a fixed
        // amount of work in a named function, then a clean exit.
        "process.on('SIGUSR2', function work() { const end = Date.now() + 300; " +
          'while (Date.now() < end) Math.sqrt(Math.random()); process.exit(0); });' +
          "console.log('ready'); setInterval(() => {}, 1000);",
      ],
      { env: { ...process.env, ...cpuProfileEnv(dir) }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await pollUntil(() => output.includes('ready'), { what: 'the child to start' });
    startCpuProfile(child);
    expect(await exited).toBe(0);
    const [file] = await profilesOf(dir, child.pid ?? -1);
    expect(file).toBeDefined();
    const summarized = await summarizeProfileFile(file ?? '');
    expect(summarized.totalMs).toBeGreaterThan(100);
    expect(summarized.functions.some((cost) => cost.name.startsWith('work'))).toBe(true);
  });
});

describe('stopCpuProfile', () => {
  it('writes the profile at the second signal while the process keeps running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'suyuan-bench-profile-test-'));
    const child = spawn(
      process.execPath,
      [
        '-e',
        // A named chunk of work every few milliseconds, each one reported on stdout.
        'setInterval(function chunk() { const end = Date.now() + 10; ' +
          "while (Date.now() < end) Math.sqrt(Math.random()); console.log('chunk'); }, 15);",
      ],
      { env: { ...process.env, ...cpuProfileEnv(dir) }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let chunks = 0;
      child.stdout.on(
        'data',
        (data: Buffer) => (chunks += data.toString().split('chunk').length - 1),
      );
      await pollUntil(() => chunks > 0, { what: 'the child to start' });
      startCpuProfile(child);
      const profiledFrom = chunks;
      await pollUntil(() => chunks >= profiledFrom + 10, { what: 'ten chunks under the profiler' });
      const file = await stopCpuProfile(child, dir);
      expect(child.exitCode).toBeNull();
      const summarized = await summarizeProfileFile(file);
      expect(summarized.functions.some((cost) => cost.name.startsWith('chunk'))).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('markdownOf', () => {
  it('marks targets met or missed, and figures that were not measured', () => {
    const results: BenchResults = {
      scale: 'small',
      seed: 7,
      date: '2026-11-23T00:00:00.000Z',
      commit: 'abc',
      machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 4, node: 'v20', platform: 'linux-x64' },
      kafka: 'none',
      scenarios: [
        {
          scenario: 'ingest',
          date: '2026-11-23T00:00:00.000Z',
          commit: 'abc',
          seconds: 1,
          figures: [
            { name: 'a', value: 60_000, unit: 'events/s', target: '≥ 50 000', met: true },
            { name: 'b', value: 0.5, unit: 'ratio', target: '≥ 0.7', met: false },
            {
              name: 'c | d',
              value: NaN,
              unit: 'events/s',
              detail: { 'not measured': 'no broker' },
            },
          ],
          notes: ['bounded by fsync'],
        },
      ],
    };
    const markdown = markdownOf(results);
    expect(markdown).toContain('| a | 60 000 | events/s | ≥ 50 000 | ✓ |');
    expect(markdown).toContain('| b | 0.5 | ratio | ≥ 0.7 | ✗ |');
    expect(markdown).toContain(
      '| c \\| d | not measured | events/s |  |  | not measured: no broker |',
    );
    expect(markdown).toContain('- bounded by fsync');
  });
});

describe('catchUpProgress', () => {
  it('turns the platform’s log lines about its serving index catching up into progress', () => {
    // Lines as the platform writes them (pino, JSON), with the fields serving-catch-up.ts logs.
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line.trim()) });
    logger.info({ partition: 0, from: 0, to: 5_035_336 }, CATCH_UP_MESSAGES.started);
    logger.info(
      { partition: 0, applied: 100_000, next: 100_000, target: 5_035_336 },
      CATCH_UP_MESSAGES.progress,
    );
    logger.info({ applied: 5_035_336 }, 'serving index: caught up with the projector');
    expect([...lines, 'a line that is not JSON'].map(catchUpProgress)).toEqual([
      {
        text: 'derived state: serving index catching up from offset 0 to 5,035,336',
        started: true,
      },
      { text: 'derived state: serving index at offset 100,000 of 5,035,336', started: false },
      undefined,
      undefined,
    ]);
  });
});

describe('the ingest floor', () => {
  it('answers a 1000-event POST as the platform answers new events, and refuses bad input by field', async () => {
    const floor = await startIngestFloor();
    try {
      const [request] = createIngestWorkload(5, 5_000).take(1, 1000);
      const post = (body: string) =>
        fetch(`${floor.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      const accepted = await post(request?.body ?? '');
      expect(accepted.status).toBe(202);
      const sent = (JSON.parse(request?.body ?? '') as { events: Array<{ eventId: string }> })
        .events;
      expect(await accepted.json()).toEqual({
        results: sent.map(({ eventId }) => ({ eventId, status: 'accepted' })),
      });
      const refused = await post(JSON.stringify({ events: [{ ...sent[0], quantity: -1 }] }));
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: 'invalid_event' });
    } finally {
      await floor.stop();
    }
  });
});

describe('the answer floor', () => {
  it('answers each path of a probe with the bytes the platform answered it with, and no other path', async () => {
    // A real server stands in for the platform: what it answers is what the floor must keep.
    const bodies = new Map([
      ['/v1/batches/A/trace', Buffer.from(JSON.stringify({ batches: ['A', 'é'.repeat(70_000)] }))],
      ['/v1/batches/B/trace', Buffer.from(JSON.stringify({ batches: ['B'] }))],
    ]);
    const platform = createServer((request, response) => {
      const body = bodies.get(request.url ?? '');
      const authorized = request.headers.authorization === 'Bearer k';
      response.writeHead(body && authorized ? 200 : 403, {
        'content-type': 'application/json; charset=utf-8',
      });
      response.end(body && authorized ? body : '{}');
    });
    await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
    const next = cycle(
      [...bodies.keys()].map((path) => ({ path, headers: { authorization: 'Bearer k' } })),
    );
    const requests = distinctRequests(next);
    expect(requests.map((request) => request.path)).toEqual([...bodies.keys()]);
    const floor = await startAnswerFloor(url, requests);
    try {
      for (const [path, body] of bodies) {
        const answer = await fetch(`${floor.url}${path}`);
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(Buffer.from(await answer.arrayBuffer()).equals(body)).toBe(true);
      }
      const other = await fetch(`${floor.url}/v1/batches/C/trace`);
      expect(other.status).toBe(404);
      expect(await other.text()).toContain('path');
    } finally {
      await floor.stop();
      platform.close();
    }
  });
});

describe('warmFiles', () => {
  it('reads every byte of every file under the directory, however deep', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'suyuan-warm-'));
    try {
      await mkdir(join(dir, 'serving', 'deeper'), { recursive: true });
      await writeFile(join(dir, 'log.db'), Buffer.alloc(9 * 1024 * 1024 + 3, 1));
      await writeFile(join(dir, 'serving', 'data.mdb'), Buffer.alloc(4096, 2));
      await writeFile(join(dir, 'serving', 'deeper', 'empty'), '');
      await writeFile(join(dir, 'serving', 'deeper', 'part.bin'), Buffer.alloc(17, 3));
      expect(await warmFiles(dir, () => undefined)).toBe(9 * 1024 * 1024 + 3 + 4096 + 17);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('platformCpu', () => {
  it("counts the CPU a process's main thread spends, and not the time it waits", async () => {
    // The child says it is ready once booted, waits for a line, spins its main thread for 400 ms
    // of CPU, says so and waits again: between the two readings its main thread ran about 0.4 s.
    const child = spawn(
      process.execPath,
      [
        '-e',
        "process.stdout.write('ready\\n'); process.stdin.once('data', () => { " +
          'const s = process.cpuUsage(); ' +
          'while (process.cpuUsage(s).user < 400_000) Math.sqrt(Math.random()); ' +
          "process.stdout.write('spun\\n'); });",
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      let output = '';
      child.stdout.on('data', (data: Buffer) => (output += data.toString()));
      const said = (word: string) => () => (output.includes(word) ? true : undefined);
      await pollUntil(said('ready'), { timeoutMs: 30_000, what: 'the child to start' });
      const spent = await platformCpu(child.pid);
      child.stdin.write('go\n');
      await pollUntil(said('spun'), { timeoutMs: 60_000, what: 'the child to spin' });
      const { main, others } = await spent();
      expect(main).toBeGreaterThanOrEqual(0.2);
      expect(others).toBeLessThan(main);
      expect(describeCpu({ main: 0.5, others: 0.25, seconds: 2 })).toBe(
        'platform main thread 0.25 of a core, other threads 0.13',
      );
    } finally {
      child.kill('SIGKILL');
    }
  });
});
