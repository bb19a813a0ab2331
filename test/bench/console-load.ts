/**
 * Console load benchmark: the time from navigating to the console to a drawn 1 000-batch trace,
 * in Debian's Chromium against a real embedded platform in this process.
 *
 *   npm run bench:console [-- --nodes 1000 --rounds 3]
 *
 * The chain is one raw-material batch fanned out through layers of derived batches, posted
 * through the API; the trace of the root is the whole chain.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import { pollUntil } from '../support/poll.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  startConsolePlatform,
} from '../browser/console-platform.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
  },
});
const NODES = Number(values.nodes);
const ROUNDS = Number(values.rounds);
const FAN_OUT = 4;
const SCREENSHOT = join(PROJECT_ROOT, 'test', 'browser', 'screenshots', 'trace-1000.png');

/** Batch i (i > 0) is made from batch floor((i - 1) / FAN_OUT): a tree of depth ~log4(n). */
function chainEvents(nodes: number) {
  return Array.from({ length: nodes }, (_, i) => ({
    eventId: randomUUID(),
    eventType: 'BatchProduced',
    eventTime: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000).toISOString(),
    batchId: `LOAD-${String(i).padStart(4, '0')}`,
    product: { id: 'LOAD-PRODUCT', name: `load product ${i % 7}` },
    quantity: 100,
    unit: 'kg',
    operator: 'Bench Operator',
    ...(i === 0
      ? {}
      : {
          inputs: [
            {
              batchId: `LOAD-${String(Math.floor((i - 1) / FAN_OUT)).padStart(4, '0')}`,
              quantity: 1,
              unit: 'kg',
            },
          ],
        }),
  }));
}

async function main() {
  ensureConsoleBuilt();
  const platform = await startConsolePlatform({ TRACE_MAX_NODES: String(Math.max(NODES, 1000)) });
  const browser = await launchChromium();
  try {
    const plant = await platform.api.createParty('bench-plant');
    const regulator = await platform.api.createParty('bench-regulator', ['regulator']);
    const events = chainEvents(NODES);
    for (let start = 0; start < events.length; start += 1000) {
      const response = await platform.api.postEvents(plant, events.slice(start, start + 1000));
      if (response.status !== 202) throw new Error(`posting the chain answered ${response.status}`);
    }
    const root = 'LOAD-0000';
    const last = events.at(-1)?.batchId ?? root;
    await platform.api.waitForBatch(regulator, last);
    await pollUntil(
      async () => {
        const trace = await platform.api.request<{ batches: unknown[] }>(
          'GET',
          `/v1/batches/${root}/trace?direction=both&maxNodes=${NODES}`,
          { key: regulator },
        );
        return trace.status === 200 && trace.body.batches.length >= NODES;
      },
      { what: `a ${NODES}-batch trace`, timeoutMs: 120_000, intervalMs: 200 },
    );
    const samples: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      // Signed in already: the key is in sessionStorage before the console's script runs.
      await page.addInitScript(
        `sessionStorage.setItem('suyuan.apiKey', ${JSON.stringify(regulator)})`,
      );
      const started = performance.now();
      await page.goto(`${platform.url}/console/?batch=${root}`);
      await page.getByRole('button', { name: '查询' }).click();
      await page.waitForSelector('#graph[data-rendered]', { timeout: 120_000 });
      const elapsed = performance.now() - started;
      const rendered = Number(await page.getAttribute('#graph', 'data-rendered'));
      samples.push(elapsed);
      if (round === 0) await page.screenshot({ path: SCREENSHOT });
      console.log(`round ${round + 1}: ${rendered} batch nodes drawn in ${Math.round(elapsed)} ms`);
      await page.close();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    console.log(
      `console load, ${NODES}-node trace: median ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN)} ms, ` +
        `min ${Math.round(sorted[0] ?? NaN)} ms, max ${Math.round(sorted.at(-1) ?? NaN)} ms (navigation → graph drawn)`,
    );
  } finally {
    await browser.close();
    await platform.stop();
  }
}

await main();
