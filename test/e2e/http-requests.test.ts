/**
 * How the API reads a request, over real HTTP with raw bytes (node:http, so nothing in between
 * re-encodes a body): JSON in UTF-8 only, compressed bodies decoded within the body limit, and
 * the API's own error shape for every refusal, Fastify's router's included.
 */
import { request as httpRequest } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produced } from '../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const BODY_LIMIT = 64 * 1024;
let platform: TestPlatform;
let farm: string;
let samr: string;

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: { error?: string; message?: string; details?: unknown[] } & Record<
    string,
    unknown
  >;
}

/** One request with exactly these bytes and headers. */
function raw(
  method: string,
  path: string,
  options: { body?: Buffer | string; headers?: Record<string, string>; key?: string } = {},
): Promise<RawResponse> {
  const url = new URL(path, platform.url);
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        headers: {
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
          ...(body ? { 'content-length': String(body.length) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? (JSON.parse(text) as RawResponse['body']) : {},
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };

/** A batch posted with these body bytes was not written: a later marker is seen, it is not. */
async function expectNotWritten(batchId: string): Promise<void> {
  const marker = produced(`marker-${batchId}`);
  expect((await platform.postEvents(farm, [marker])).status).toBe(202);
  await platform.waitForBatch(samr, marker.batchId);
  expect(
    (await raw('GET', `/v1/batches/${encodeURIComponent(batchId)}`, { key: samr })).status,
  ).toBe(404);
}

beforeAll(async () => {
  platform = await startTestPlatform({ SUYUAN_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  farm = await platform.createParty('farm');
  samr = await platform.createParty('samr', ['regulator']);
});
afterAll(() => platform?.stop());

describe('media types', () => {
  it('answers 415 in the API error shape to text/plain and other media types, writing nothing', async () => {
    const event = produced('TEXT-1');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await raw('POST', '/v1/events', {
        key: farm,
        body: JSON.stringify(event),
        headers: { 'content-type': type },
      });
      expect(response.status, type).toBe(415);
      expect(response.body, type).toMatchObject({
        error: 'unsupported_media_type',
        message: expect.stringMatching(/^content-type: /),
      });
    }
    await expectNotWritten('TEXT-1');
  });

  it('answers 415 to a charset other than UTF-8, and reads charset=utf-8', async () => {
    const refused = produced('UTF16-1');
    const utf16 = await raw('POST', '/v1/events', {
      key: farm,
      body: Buffer.from(JSON.stringify(refused), 'utf16le'),
      headers: { 'content-type': 'application/json; charset=utf-16' },
    });
    expect(utf16.status).toBe(415);
    expect(utf16.body).toMatchObject({
      error: 'unsupported_media_type',
      message: 'content-type: charset utf-16 is not supported; send UTF-8 JSON',
    });
    const latin1 = await raw('POST', '/v1/events', {
      key: farm,
      body: JSON.stringify(produced('LATIN1-1')),
      headers: { 'content-type': 'application/json;charset="ISO-8859-1"' },
    });
    expect(latin1.status).toBe(415);
    const utf8 = await raw('POST', '/v1/events', {
      key: farm,
      body: JSON.stringify(produced('UTF8-1')),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    expect(utf8.status).toBe(202);
    await expectNotWritten('UTF16-1');
  });
});

describe('bytes that are not UTF-8', () => {
  it('refuses invalid UTF-8 with 400 naming the field, instead of storing U+FFFD', async () => {
    // Two different byte strings that U+FFFD would have collapsed into one batch id.
    for (const [batchId, bytes] of [
      ['BAD-\\xff', Buffer.from([0xff])],
      ['BAD-\\xfe', Buffer.from([0xfe, 0xfe])],
    ] as const) {
      const event = JSON.stringify({ events: [produced('PLACEHOLDER')] });
      const [before, after] = event.split('"batchId":"PLACEHOLDER"') as [string, string];
      const body = Buffer.concat([
        Buffer.from(`${before}"batchId":"BAD-`),
        bytes,
        Buffer.from(`"${after}`),
      ]);
      const response = await raw('POST', '/v1/events', { key: farm, body, headers: json });
      expect(response.status, batchId).toBe(400);
      expect(response.body, batchId).toEqual({
        error: 'invalid_request',
        message: 'events[0].batchId: not valid UTF-8',
        details: [{ path: 'events[0].batchId', message: 'not valid UTF-8' }],
      });
    }
    await expectNotWritten('BAD-\uFFFD');
  });

  it('names the body when the bad bytes are outside any string', async () => {
    const body = Buffer.concat([
      Buffer.from('{"events":'),
      Buffer.from([0xc3]),
      Buffer.from('[]}'),
    ]);
    const response = await raw('POST', '/v1/events', { key: farm, body, headers: json });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ message: 'body: not valid UTF-8' });
  });

  it('refuses a member that would reach a prototype, naming the object that holds it', async () => {
    for (const member of ['"__proto__":{"admin":true}', '"constructor":{"prototype":{}}']) {
      const response = await raw('POST', '/epcis/capture', {
        key: farm,
        body: `{"type":"EPCISDocument","epcisBody":{"eventList":[{${member}}]}}`,
        headers: json,
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        error: 'invalid_request',
        details: [
          {
            path: 'epcisBody.eventList[0]',
            message: 'must not have a member named __proto__, or constructor holding prototype',
          },
        ],
      });
    }
    const broken = await raw('POST', '/v1/events', {
      key: farm,
      body: '{"events":',
      headers: json,
    });
    expect(broken.body).toMatchObject({ message: expect.stringMatching(/^body: not valid JSON/) });
  });

  it('refuses a JSON escape that makes half a surrogate pair, naming the field', async () => {
    const response = await raw('POST', '/v1/recalls/mock', {
      key: samr,
      body: '{"rootBatchIds":["ok","\\ud800"]}',
      headers: json,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: 'invalid_request',
      message: 'rootBatchIds[1]: must be valid Unicode (a lone surrogate)',
    });
  });
});

describe('compressed bodies', () => {
  it('decodes gzip, deflate and br bodies', async () => {
    const gzipped = produced('GZIP-1');
    const deflated = produced('DEFLATE-1');
    const brotli = produced('BR-1');
    for (const [encoding, body] of [
      ['gzip', gzipSync(JSON.stringify(gzipped))],
      ['deflate', deflateSync(JSON.stringify(deflated))],
      ['br', brotliCompressSync(JSON.stringify(brotli))],
    ] as const) {
      const response = await raw('POST', '/v1/events', {
        key: farm,
        body,
        headers: { ...json, 'content-encoding': encoding },
      });
      expect(response.status, encoding).toBe(202);
    }
    await platform.waitForBatch(samr, 'GZIP-1');
    await platform.waitForBatch(samr, 'DEFLATE-1');
    await platform.waitForBatch(samr, 'BR-1');
  });

  it('answers 413 when a small compressed body inflates past the body limit', async () => {
    const bomb = gzipSync(Buffer.alloc(BODY_LIMIT * 16, 0x20));
    expect(bomb.length).toBeLessThan(BODY_LIMIT / 8);
    const response = await raw('POST', '/v1/events', {
      key: farm,
      body: bomb,
      headers: { ...json, 'content-encoding': 'gzip' },
    });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ error: 'payload_too_large' });
  });

  it('answers 400 to a body that does not decode, and 415 to an unknown encoding', async () => {
    const garbled = await raw('POST', '/v1/events', {
      key: farm,
      body: 'not gzip at all',
      headers: { ...json, 'content-encoding': 'gzip' },
    });
    expect(garbled.status).toBe(400);
    expect(garbled.body).toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/^body: not valid compressed data/),
    });
    const unknown = await raw('POST', '/v1/events', {
      key: farm,
      body: JSON.stringify(produced('COMPRESS-1')),
      headers: { ...json, 'content-encoding': 'compress' },
    });
    expect(unknown.status).toBe(415);
    expect(unknown.body).toMatchObject({
      error: 'unsupported_media_type',
      message: 'content-encoding: compress is not supported (gzip, deflate, br or identity)',
    });
  });
});

describe('methods and paths', () => {
  it('answers 405 with Allow to a method a path does not take, and 404 to a path that is not there', async () => {
    for (const [method, path, allow] of [
      ['PUT', '/v1/events', 'POST'],
      ['DELETE', '/v1/batches/B-1', 'GET, HEAD'],
      // GET /v1/recalls/mock reads the recall named "mock".
      ['PATCH', '/v1/recalls/mock', 'GET, HEAD, POST'],
      ['TRACE', '/v1/notices', 'GET, HEAD'],
      ['QUERY', '/v1/batches', 'GET, HEAD'],
    ] as const) {
      const response = await raw(method, path, { key: samr });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.allow, `${method} ${path}`).toBe(allow);
      expect(response.body).toMatchObject({ error: 'method_not_allowed' });
    }
    const missing = await raw('PUT', '/v1/nothing-here', { key: samr });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not_found' });
  });

  it('takes a path parameter as long as any valid id, and answers 414 in its own shape beyond', async () => {
    const longestId = 'B'.repeat(128);
    expect((await raw('GET', `/v1/batches/${longestId}`, { key: samr })).status).toBe(404);
    const cjk = encodeURIComponent('批'.repeat(128));
    expect((await raw('GET', `/v1/batches/${cjk}/trace`, { key: samr })).status).toBe(404);
    const tooLong = await raw('GET', `/v1/batches/${'B'.repeat(5000)}`, { key: samr });
    expect(tooLong.status).toBe(414);
    expect(tooLong.body).toEqual({
      error: 'uri_too_long',
      message: 'path: a path parameter is longer than this server accepts',
    });
  });

  it('lists the newest batches the caller may see when the search has no q', async () => {
    expect((await platform.postEvents(farm, [produced('SEARCH-1')])).status).toBe(202);
    await platform.waitForBatch(samr, 'SEARCH-1');
    const listed = await raw('GET', '/v1/batches?limit=5', { key: farm });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ batchId: 'SEARCH-1', producer: 'farm' })]),
    );
  });
});
