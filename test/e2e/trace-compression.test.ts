// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
import { request as httpRequest } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produced, shipped } from '../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

interface Trace {
  root: string;
  batches: Array<{ batchId: string }>;
}

let platform: TestPlatform;
const keys: Record<string, string> = {};

async function post(party: string, events: unknown[]) {
  const response = await platform.postEvents(keys[party]!, events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
}

const SOURCES = Array.from({ length: 8 }, (_, index) => `MILK-${index}`);

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const party of ['farm', 'plant'])
    keys[party] = await platform.createParty(party, ['submitter'], `name of ${party}`);
  keys.samr = await platform.createParty('samr', ['regulator'], '市场监管总局 SAMR');
  // Eight sources blended into one powder, shipped on: a trace of a few kilobytes.
  await post('farm', [...SOURCES.map((id) => produced(id)), shipped('S-MILK', 'plant', SOURCES)]);
  await post('plant', [produced('POWDER-1', SOURCES)]);
  await platform.waitForBatch(keys.samr, 'POWDER-1');
});
afterAll(() => platform?.stop());

/** A GET with Node's own client, which leaves the body as it came: compressed or not. */
function rawTrace(batchId: string, query: string, acceptEncoding?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const sent = httpRequest(
        new URL(`/v1/batches/${batchId}/trace?${query}`, platform.url),
        {
          headers: {
            authorization: `Bearer ${keys.samr}`,
            ...(acceptEncoding !== undefined && { 'accept-encoding': acceptEncoding }),
          },
        },
        (response) => {
          buffer(response).then(
            (body) =>
              resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
            reject,
          );
        },
      );
      sent.on('error', reject);
      sent.end();
    },
  );
}

const decoders: Record<string, (body: Buffer) => Buffer> = {
  br: (body) => brotliDecompressSync(body),
  gzip: (body) => gunzipSync(body),
};

describe("a regulator's trace to a client that accepts compression", () => {
  it('comes in the encoding the client prefers, and decodes to the same answer', async () => {
    const plain = await rawTrace('POWDER-1', 'direction=upstream');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThanOrEqual(1024);
    const answer = JSON.parse(plain.body.toString('utf8')) as Trace;
    for (const [accept, encoding] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0.5, gzip', 'gzip'],
    ] as const) {
      // Twice: the second is the kept answer's kept compression.
      for (const round of [1, 2]) {
        const compressed = await rawTrace('POWDER-1', 'direction=upstream', accept);
        const what = `${accept}, read ${round}`;
        expect(compressed.headers['content-encoding'], what).toBe(encoding);
        expect(compressed.headers.vary, what).toMatch(/accept-encoding/i);
        expect(Number(compressed.headers['content-length']), what).toBe(compressed.body.length);
        expect(compressed.body.length, what).toBeLessThan(plain.body.length / 2);
        expect(JSON.parse(decoders[encoding]!(compressed.body).toString('utf8')), what).toEqual(
          answer,
        );
      }
    }
  });

  it('comes as it is when the client accepts neither encoding, or the answer is small', async () => {
    for (const accept of ['deflate', 'identity', 'br;q=0, gzip;q=0']) {
      const answer = await rawTrace('POWDER-1', 'direction=upstream', accept);
      expect(answer.headers['content-encoding'], accept).toBeUndefined();
      expect((JSON.parse(answer.body.toString('utf8')) as Trace).root, accept).toBe('POWDER-1');
    }
    const small = await rawTrace('MILK-0', 'direction=upstream', 'br, gzip');
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect((JSON.parse(small.body.toString('utf8')) as Trace).root).toBe('MILK-0');
  });

  it('shows every write since it was compressed', async () => {
    const read = async () => {
      const compressed = await rawTrace('POWDER-1', 'direction=both', 'gzip');
      expect(compressed.headers['content-encoding']).toBe('gzip');
      return JSON.parse(gunzipSync(compressed.body).toString('utf8')) as Trace;
    };
    const before = (await read()).batches.map((batch) => batch.batchId);
    expect((await read()).batches.map((batch) => batch.batchId)).toEqual(before);
    await post('plant', [produced('POWDER-1-REWORKED', ['POWDER-1'])]);
    await pollUntil(
      async () =>
        (await read()).batches.some((batch) => batch.batchId === 'POWDER-1-REWORKED') || undefined,
      { what: 'the compressed trace to list the new batch', timeoutMs: 30_000, intervalMs: 25 },
    );
  });
});
