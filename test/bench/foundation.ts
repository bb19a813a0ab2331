/**
 * Foundation benchmark: batch ingest throughput over HTTP and trace latency on the demo graph,
 * against the embedded platform running in its own process (the client load stays out of it).
 *
 *   npm run bench:foundation [-- --requests 30 --trace-rounds 40]
 *
 * Prints a table and writes test/bench/results/foundation.json.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { loadDairyChain } from '../support/demo-chain.js';
import { clientFor, type TestPlatform } from '../support/platform.js';
import { spawnPlatform } from '../support/platform-process.js';
import { round, summary, timed } from './support/stats.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '30' },
    'trace-rounds': { type: 'string', default: '40' },
  },
});
const REQUESTS = Number(values.requests);
const TRACE_ROUNDS = Number(values['trace-rounds']);

async function benchIngest(client: TestPlatform, key: string) {
  const latencies: number[] = [];
  let events = 0;
  const started = performance.now();
  for (let request = 0; request < REQUESTS; request += 1) {
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      eventId: randomUUID(),
      eventType: 'BatchProduced',
      eventTime: '2026-11-20T08:00:00Z',
      batchId: `BENCH-${request}-${i}`,
      product: { id: '06901234567892', name: 'bench product' },
      quantity: 10,
      unit: 'kg',
      inputs: [{ batchId: `BENCH-SRC-${i % 50}`, quantity: 1, unit: 'kg' }],
    }));
    const [response, ms] = await timed(() => client.postEvents(key, batch));
    if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
    latencies.push(ms);
    events += batch.length;
    process.stdout.write(`\ringest: ${request + 1}/${REQUESTS} requests of 1000 events`);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write('\n');
  return { eventsPerSecond: Math.round(events / seconds), requestLatencyMs: summary(latencies) };
}

async function benchTrace(client: TestPlatform) {
  const { chain, keys } = await loadDairyChain(client);
  const regulator = keys.get(chain.regulatorPartyId) ?? '';
  const results: Record<string, ReturnType<typeof summary> & { nodes: number }> = {};
  for (const direction of ['upstream', 'downstream', 'both']) {
    const latencies: number[] = [];
    let nodes = 0;
    for (let round = 0; round < TRACE_ROUNDS; round += 1) {
      for (const batchId of chain.batchIds) {
        const [response, ms] = await timed(() =>
          client.request<{ batches: unknown[] }>(
            'GET',
            `/v1/batches/${batchId}/trace?direction=${direction}`,
            { key: regulator },
          ),
        );
        if (response.status !== 200) throw new Error(`trace answered ${response.status}`);
        latencies.push(ms);
        nodes = Math.max(nodes, response.body.batches.length);
      }
    }
    results[direction] = { ...summary(latencies), nodes };
    console.log(`trace ${direction}: ${latencies.length} requests`);
  }
  return results;
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-'));
  const platform = await spawnPlatform(dataDir);
  const client = clientFor(platform.url, dataDir, () => Promise.resolve());
  try {
    const key = await client.createParty('bench-plant');
    const ingest = await benchIngest(client, key);
    const trace = await benchTrace(client);
    const result = {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      ingest,
      trace,
    };
    await writeFile(
      new URL('./results/foundation.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log('\n| measure | value |\n| --- | --- |');
    console.log(
      `| batch ingest, 1000-event POSTs, sequential | ${ingest.eventsPerSecond} events/s |`,
    );
    console.log(
      `| 1000-event POST latency p50 / p99 | ${round(ingest.requestLatencyMs.p50)} / ${round(ingest.requestLatencyMs.p99)} ms |`,
    );
    for (const [direction, s] of Object.entries(trace)) {
      console.log(
        `| trace ${direction} on the demo graph (≤${s.nodes} nodes), p50 / p99 | ${round(s.p50)} / ${round(s.p99)} ms (n=${s.n}) |`,
      );
    }
  } finally {
    platform.child.kill('SIGTERM');
    await platform.exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
