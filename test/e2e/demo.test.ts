import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDairyChain } from '../../tools/demo/dairy-chain.js';
import { clientFor, TEST_ADMIN_KEY } from '../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { pollUntil } from '../support/poll.js';

const DEMO = fileURLToPath(new URL('../../tools/demo/main.ts', import.meta.url));
let platform: PlatformProcess | undefined;
let dataDir = '';

afterAll(async () => {
  platform?.child.kill('SIGKILL');
  await platform?.exited;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function runDemo(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DEMO, '--url', url], {
      env: { ...process.env, SUYUAN_ADMIN_KEY: TEST_ADMIN_KEY },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

interface Trace {
  batches: Array<{ batchId: string; depth: number; producer: string | null }>;
  parties: Array<{ partyId: string; involvement: string[] }>;
}

describe('the demo, loaded into a platform process over HTTP', () => {
  it(
    'builds the chain, and a mid-chain trace lists the right sources and holders',
    { timeout: 120_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'suyuan-demo-'));
      platform = await spawnPlatform(dataDir);
      const demo = await runDemo(platform.url);
      expect(demo.code, demo.output).toBe(0);
      expect(demo.output).toMatch(/loaded 80\/80 events/);
      const regulatorKey = /SUYUAN_REGULATOR_KEY='(sy_[^']+)'/.exec(demo.output)?.[1];
      expect(regulatorKey).toBeDefined();

      const chain = buildDairyChain();
      const powder = chain.interesting.powderBatchId;
      const client = clientFor(platform.url, dataDir, () => Promise.resolve());

      // Expected answer, computed independently from the chain's own events.
      const produced = chain.timeline.flatMap(({ event }) =>
        event.eventType === 'BatchProduced' ? [event] : [],
      );
      const inputsOf = new Map(produced.map((e) => [e.batchId, e.inputs.map((i) => i.batchId)]));
      const sources = inputsOf.get(powder) ?? [];
      const derived = produced
        .filter((e) => e.inputs.some((i) => i.batchId === powder))
        .map((e) => e.batchId);
      const inTrace = [...sources, powder, ...derived];
      const holders = chain.timeline.flatMap(({ event }) =>
        event.eventType === 'BatchShipped' && event.lines.some((l) => inTrace.includes(l.batchId))
          ? [event.to]
          : [],
      );
      const receiversOf = (trace: Trace) =>
        trace.parties.filter((p) => p.involvement.includes('receiver')).map((p) => p.partyId);

      // The demo's 202s come before the projector has every event: wait until the trace shows
      // each holder (the last shipments the demo posts), then check the whole answer.
      const { status, body } = await pollUntil(
        async () => {
          const answer = await client.request<Trace>(
            'GET',
            `/v1/batches/${powder}/trace?direction=both`,
            { key: regulatorKey },
          );
          const shown = answer.status === 200 ? new Set(receiversOf(answer.body)) : new Set();
          return holders.every((holder) => shown.has(holder)) ? answer : undefined;
        },
        {
          what: 'the trace to show every holder the demo shipped to',
          timeoutMs: 30_000,
          intervalMs: 100,
        },
      );
      expect(status).toBe(200);
      expect(
        body.batches
          .filter((b) => b.depth < 0)
          .map((b) => b.batchId)
          .sort(),
      ).toEqual([...sources].sort());
      expect(
        body.batches
          .filter((b) => b.depth > 0)
          .map((b) => b.batchId)
          .sort(),
      ).toEqual([...derived].sort());

      const receivers = receiversOf(body);
      expect(new Set(receivers)).toEqual(new Set(holders));
      expect(receivers).toContain('retail-nj-gulou'); // its shipment is still in transit

      const again = await runDemo(platform.url);
      expect(again.code, again.output).toBe(0);
      expect(again.output).toMatch(/already/i);
    },
  );
});
