/**
 * The answer floor beside a read of large answers: the same requests, at the same client counts,
 * to a process that sends the platform's own answers from memory and does nothing else
 * (answer-floor-server.ts). For the ~1 000-node trace (1.7 MB of JSON) most of a request's time
 * on this machine is the copy of the bytes from one process to the other; the floor shows how much,
 * so that the platform's latency is read beside what moving its answer costs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService } from '../../support/service-process.js';
import type { HttpLoadRequest, HttpLoadResult } from './http-load.js';
import type { Figure } from '../scenarios/types.js';
import { runNodeHttpLoad } from './node-http-load.js';
import { round } from './stats.js';

/** More distinct requests than this from one probe is not a cycle of a few answers. */
const MOST_DISTINCT = 100;

/** The distinct requests `next` cycles through, in order. */
export function distinctRequests(next: () => HttpLoadRequest): HttpLoadRequest[] {
  const seen: HttpLoadRequest[] = [];
  for (;;) {
    const request = next();
    if (seen.some((earlier) => earlier.path === request.path)) return seen;
    if (seen.length === MOST_DISTINCT)
      throw new Error(`the answer floor keeps at most ${MOST_DISTINCT} distinct answers`);
    seen.push(request);
  }
}

/**
 * Starts a floor that answers each of `requests` with what `url` answers it now; stop() ends it
 * and removes the kept copies.
 */
export async function startAnswerFloor(url: string, requests: readonly HttpLoadRequest[]) {
  const dir = await mkdtemp(join(tmpdir(), 'suyuan-answer-floor-'));
  try {
    const kept = [];
    for (const [index, request] of requests.entries()) {
      const response = await fetch(new URL(request.path, url), { headers: request.headers });
      if (response.status !== 200)
        throw new Error(`answer floor: ${request.path} answered ${response.status}`);
      const bodyFile = join(dir, `${index}.body`);
      await writeFile(bodyFile, Buffer.from(await response.arrayBuffer()));
      const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
      kept.push({ path: request.path, contentType, bodyFile });
    }
    const manifest = join(dir, 'answers.json');
    await writeFile(manifest, JSON.stringify(kept));
    const floor = await spawnService(
      'test/bench/support/answer-floor-server.ts',
      { ANSWERS: manifest },
      { name: 'the answer floor' },
    );
    return {
      url: floor.url,
      async stop() {
        await floor.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The floor and the platform at one client count, each measured twice in the order floor,
 * platform, platform, floor: what the machine's load does meanwhile, and whichever goes first
 * after a switch, falls on both alike.
 */
export interface FloorPair {
  readonly floor: readonly [HttpLoadResult, HttpLoadResult];
  readonly platform: readonly [HttpLoadResult, HttpLoadResult];
}

/**
 * The floor's figures for the requests of `next`, at each of `clients`, `seconds` a run, beside
 * the platform's for the same requests measured between them: on a shared machine the load moves
 * within a minute, so the two are compared only when measured side by side.
 */
export async function measureAnswerFloor(options: {
  readonly url: string;
  readonly next: () => HttpLoadRequest;
  readonly clients: readonly number[];
  readonly seconds: number;
  readonly progress: (line: string) => void;
}): Promise<Map<number, FloorPair>> {
  const requests = distinctRequests(options.next);
  const floor = await startAnswerFloor(options.url, requests);
  try {
    const pairs = new Map<number, FloorPair>();
    let turn = 0;
    const next = () => requests[turn++ % requests.length] as HttpLoadRequest;
    const run = async (name: string, url: string, clients: number) => {
      const result = await runNodeHttpLoad({
        url,
        connections: clients,
        seconds: options.seconds,
        next,
      });
      options.progress(
        `online: ${name}, ${clients} clients: ${result.perSecond}/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, failed ${result.failed}`,
      );
      return result;
    };
    for (const clients of options.clients) {
      const floorFirst = await run('the answer floor', floor.url, clients);
      const platformFirst = await run('the platform', options.url, clients);
      const platformSecond = await run('the platform again', options.url, clients);
      const floorSecond = await run('the answer floor again', floor.url, clients);
      pairs.set(clients, {
        floor: [floorFirst, floorSecond],
        platform: [platformFirst, platformSecond],
      });
    }
    return pairs;
  } finally {
    await floor.stop();
  }
}

const mean = (runs: readonly HttpLoadResult[], of: (run: HttpLoadResult) => number) =>
  Math.round(runs.reduce((sum, run) => sum + of(run), 0) / runs.length);

const described = (runs: readonly HttpLoadResult[]) =>
  runs.map((run) => `${run.perSecond}/s p99 ${run.latencyMs.p99}`).join(', ');

/**
 * The floor's figures for a read of large answers named `name`, one per client count: each the
 * mean of the floor's two runs, with the platform's two runs between them in its detail.
 */
export async function answerFloorFigures(
  options: Parameters<typeof measureAnswerFloor>[0] & { readonly name: string },
): Promise<Figure[]> {
  const pairs = await measureAnswerFloor(options);
  return [...pairs].map(([clients, { floor, platform }]) => {
    const floorRate = mean(floor, (run) => run.perSecond);
    const platformRate = mean(platform, (run) => run.perSecond);
    return {
      name: `${options.name}, the same answers from the answer floor (sends kept bytes only), ${clients} clients`,
      value: floorRate,
      unit: 'req/s',
      detail: {
        clients,
        p50: mean(floor, (run) => run.latencyMs.p50),
        p99: mean(floor, (run) => run.latencyMs.p99),
        failed: floor[0].failed + floor[1].failed,
        runs: described(floor),
        platformBetween: platformRate,
        platformP99: mean(platform, (run) => run.latencyMs.p99),
        platformRuns: described(platform),
        platformOfFloor: round(platformRate / floorRate),
      },
    };
  });
}
