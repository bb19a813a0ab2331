/**
 * Recall fan-out: time from a CRITICAL defect's 202 to every notice issued and to every notice
 * delivered to a local webhook receiver, for a recall that reaches N parties. The same
 * measurement as the recall scenario of `npm run bench` (test/bench/support/recall-fanout.ts),
 * for one party count of your choice.
 *
 *   npm run bench:recall [-- --parties 1000]
 *
 * Prints the figures and writes test/bench/results/recall-fanout.json.
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  measureFanout,
  RECALL_LOTS,
  setUpFanoutChain,
  tearDownFanoutChain,
} from './support/recall-fanout.js';

const { values } = parseArgs({ options: { parties: { type: 'string', default: '1000' } } });
const PARTIES = Number(values.parties);

async function main() {
  const chain = await setUpFanoutChain(PARTIES, (line) => console.log(line));
  try {
    const { issuedMs, deliveredMs } = await measureFanout(chain, RECALL_LOTS[0]);
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      parties: PARTIES,
      issuedMs,
      deliveredMs,
    };
    await writeFile(
      new URL('./results/recall-fanout.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log(
      `recall reaching ${PARTIES} parties: all notices issued ${issuedMs} ms, all delivered ${deliveredMs} ms after the defect's 202`,
    );
  } finally {
    await tearDownFanoutChain(chain);
  }
}

await main();
