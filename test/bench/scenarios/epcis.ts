/**
 * EPCIS scenario. Capture throughput: 1000-event EPCIS documents (500 lots commissioned and
 * shipped) at POST /epcis/capture, beside the same facts as 1000-event native POSTs and
 * GET /healthz, at 1, 16 and 64 clients, from this process (the load) against a platform process.
 * Query latency: GET /epcis/events with the usual filters on the trace graph (1M batches, ~5M
 * native events, at large scale), where the native events are what the query pages through.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ADMIN_KEY } from '../../support/platform.js';
import { spawnPlatform } from '../../support/platform-process.js';
import { ensureTraceGraph } from '../generator/trace-graph.js';
import { createJsonPoster, type JsonPoster } from '../support/http-client.js';
import {
  CUSTOMER,
  CUSTOMER_PGLN,
  epcisDocument,
  nativeRequest,
} from '../support/epcis-workload.js';
import { peakOf, runLoad, type LoadResult } from '../support/load.js';
import { round } from '../support/stats.js';
import { ensureServingIndex } from '../support/serving-index.js';
import { stopPlatformProcess } from '../support/stop-platform.js';
import type { Figure, Scenario, ScenarioContext } from './types.js';

const CLIENTS = [1, 16, 64];
/** Requests per client count: at least one per client, so every client sends. */
const REQUESTS: Record<ScenarioContext['scale'], Record<number, number>> = {
  small: { 1: 4, 16: 16, 64: 64 },
  large: { 1: 10, 16: 48, 64: 128 },
};
const QUERY_SAMPLES = { small: 40, large: 100 };
const PLATFORM_ENV = { SUYUAN_RATE_LIMIT_MAX: '1000000000' };

function expectStatus(what: string, answer: { status: number; body: string }, status: number) {
  if (answer.status !== status) {
    throw new Error(`${what}: ${answer.status} ${answer.body.slice(0, 300)}`);
  }
}

async function registerParty(
  client: JsonPoster,
  partyId: string,
  roles: string[],
  identifiers: string[] = [],
): Promise<string> {
  const answer = await client.post(
    '/v1/parties',
    TEST_ADMIN_KEY,
    JSON.stringify({ partyId, name: partyId, roles, identifiers }),
  );
  expectStatus(`register ${partyId}`, answer, 201);
  return (JSON.parse(answer.body) as { apiKey: string }).apiKey;
}

const loadFigure = (name: string, runs: readonly LoadResult[], unit = 'events/s'): Figure => {
  const peak = peakOf(runs);
  return {
    name,
    value: peak.eventsPerSecond,
    unit,
    detail: {
      clients: peak.concurrency,
      'request p50 ms': round(peak.latencyMs.p50),
      'request p99 ms': round(peak.latencyMs.p99),
      'by clients': runs
        .map((r) => `${r.concurrency}: ${r.eventsPerSecond} (p99 ${round(r.latencyMs.p99)} ms)`)
        .join(', '),
    },
  };
};

/** Capture, native ingest and /healthz, each at every client count, on one platform process. */
async function captureFigures(context: ScenarioContext): Promise<Figure[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'suyuan-bench-epcis-'));
  const platform = await spawnPlatform(dataDir, PLATFORM_ENV);
  const client = createJsonPoster(platform.url, 64);
  try {
    await registerParty(client, CUSTOMER, ['submitter'], [CUSTOMER_PGLN]);
    const maker = await registerParty(client, 'bench-maker', ['submitter']);
    const capture: LoadResult[] = [];
    const native: LoadResult[] = [];
    const health: LoadResult[] = [];
    for (const clients of CLIENTS) {
      const requests = REQUESTS[context.scale][clients] ?? clients;
      const tag = `C${clients}`;
      const documents = Array.from({ length: requests }, (_, i) => epcisDocument(tag, i));
      const posts = Array.from({ length: requests }, (_, i) => nativeRequest(tag, i));
      context.progress(`epcis: capture, ${requests} documents at ${clients} clients`);
      capture.push(
        await runLoad(clients, requests, async (i) => {
          const answer = await client.post('/epcis/capture', maker, documents[i] ?? '');
          expectStatus('capture', answer, 202);
          if (!(JSON.parse(answer.body) as { success: boolean }).success) {
            throw new Error(`capture failed: ${answer.body.slice(0, 300)}`);
          }
          return 1000;
        }),
      );
      context.progress(`epcis: native ingest, ${requests} requests at ${clients} clients`);
      native.push(
        await runLoad(clients, requests, async (i) => {
          expectStatus('native post', await client.post('/v1/events', maker, posts[i] ?? ''), 202);
          return 1000;
        }),
      );
      health.push(
        await runLoad(clients, clients * 20, async () => {
          expectStatus('healthz', await client.get('/healthz', ''), 200);
          return 1;
        }),
      );
    }
    const ratio = round(peakOf(capture).eventsPerSecond / peakOf(native).eventsPerSecond);
    return [
      loadFigure('EPCIS capture, 1000-event documents, embedded', capture),
      loadFigure('native ingest, the same 1000 facts per POST, embedded (same run)', native),
      { name: 'EPCIS capture / native ingest', value: ratio, unit: 'ratio' },
      loadFigure('GET /healthz beside them (same run)', health, 'requests/s'),
    ];
  } finally {
    client.close();
    await stopPlatformProcess(platform);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The queries measured, each a typical EPCIS client's first page. */
function queries(lot: string): Record<string, string> {
  return {
    'first page, no filter (perPage 30)': '',
    'EQ_bizStep=shipping, perPage 100': '?EQ_bizStep=shipping&perPage=100',
    'one lot, MATCH_anyEPCClass': `?MATCH_anyEPCClass=${encodeURIComponent(lot)}`,
    'a day of events, GE/LT_eventTime, perPage 100': `?GE_eventTime=2026-11-03T00:00:00Z&LT_eventTime=2026-11-04T00:00:00Z&perPage=100`,
    'non_conformant, EQ_disposition': '?EQ_disposition=non_conformant',
  };
}

async function queryFigures(
  context: ScenarioContext,
): Promise<{ figures: Figure[]; graph: string }> {
  const graph = await ensureTraceGraph({
    scale: context.scale,
    seed: context.seed,
    progress: context.progress,
  });
  const { manifest } = graph;
  const scaleText = `${manifest.batches.toLocaleString('en')} batches, ${manifest.events.toLocaleString('en')} events`;
  await ensureServingIndex(graph.dataDir, context.progress);
  const platform = await spawnPlatform(graph.dataDir, PLATFORM_ENV);
  const client = createJsonPoster(platform.url, 64);
  const figures: Figure[] = [];
  try {
    const lot = `urn:suyuan:batch:${encodeURIComponent(manifest.picks.middle[0] ?? '')}`;
    for (const [name, path] of Object.entries(queries(lot))) {
      const get = async () => {
        const answer = await client.get(`/epcis/events${path}`, manifest.regulatorKey);
        expectStatus(name, answer, 200);
        return 1;
      };
      await get(); // warm: the first read of a part loads its marks
      const runs: LoadResult[] = [];
      for (const clients of [1, 16]) {
        runs.push(await runLoad(clients, Math.max(clients, QUERY_SAMPLES[context.scale]), get));
      }
      const [single] = runs;
      context.progress(
        `epcis query ${name}: p50 ${single?.latencyMs.p50} ms, p99 ${single?.latencyMs.p99} ms`,
      );
      figures.push({
        name: `EPCIS query: ${name}, HTTP`,
        value: round(single?.latencyMs.p99 ?? NaN),
        unit: 'ms (p99)',
        detail: {
          p50: round(single?.latencyMs.p50 ?? NaN),
          'p99 at 16 clients': round(runs[1]?.latencyMs.p99 ?? NaN),
          'queries/s at 16 clients': runs[1]?.eventsPerSecond ?? NaN,
          graph: scaleText,
        },
      });
    }
  } finally {
    client.close();
    platform.child.kill('SIGTERM');
    await platform.exited;
  }
  return { figures, graph: graph.dataDir };
}

export const epcisScenario: Scenario = async (context) => {
  const capture = await captureFigures(context);
  const query = await queryFigures(context);
  return {
    scenario: 'epcis',
    figures: [...capture, ...query.figures],
    notes: [
      'Capture: each document holds 500 commissioning and 500 shipping ObjectEvents of its own ' +
        'lots (shipped to a customer named by its PGLN); native ingest posts the same facts as ' +
        '500 BatchProduced and 500 BatchShipped. A capture appends 2000 records (the EPCIS ' +
        'records and the native events) where the native post appends 1000, and checks each ' +
        'event against the EPCIS JSON Schema and the CBV and computes its hash.',
      `Query: regulator key, platform process on the trace graph (${query.graph}); each figure ` +
        `${QUERY_SAMPLES[context.scale]} sequential requests after one warm-up, and the same at 16 clients.`,
    ],
  };
};
