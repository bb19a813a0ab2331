/**
 * The gateway in front of a service that stops answering: a real gateway process in front of a
 * real platform process (all three upstreams at its address), which is frozen (SIGSTOP) and killed
 * (SIGKILL). Every answer is `503 { error: "unavailable", message }` with Retry-After, naming the
 * service and never its address, and saying whether the request may have reached it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produced } from '../../support/event-builders.js';
import { clientFor } from '../../support/platform.js';
import { spawnPlatform } from '../../support/platform-process.js';
import { pollUntil } from '../../support/poll.js';
import { spawnService, type ServiceProcess } from '../../support/service-process.js';
import { unreadBytesAt } from '../../support/tcp-queue.js';

let dataDir = '';
let platform: ServiceProcess;
let gateway: ServiceProcess;
/** The same gateway, waiting at most a second for an answer. */
let impatientGateway: ServiceProcess;
let key = '';

function spawnGateway(upstream: string, env: Record<string, string> = {}) {
  return spawnService(
    'services/gateway/main.ts',
    {
      PORT: '0',
      HOST: '127.0.0.1',
      INGEST_URL: upstream,
      TRACE_API_URL: upstream,
      RECALL_URL: upstream,
      ...env,
    },
    { name: 'gateway' },
  );
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'suyuan-gateway-'));
  platform = await spawnPlatform(dataDir);
  [gateway, impatientGateway] = await Promise.all([
    spawnGateway(platform.url),
    spawnGateway(platform.url, { GATEWAY_UPSTREAM_TIMEOUT_MS: '1000' }),
  ]);
  key = await clientFor(platform.url, dataDir, () => Promise.resolve()).createParty('plant-1');
});

afterAll(async () => {
  for (const service of [gateway, impatientGateway, platform]) await service?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly text: string;
  readonly body: { error?: string; message?: string };
}

async function send(through: ServiceProcess, method: string, path: string, body?: unknown) {
  const response = await fetch(`${through.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    text,
    body: JSON.parse(text) as Answer['body'],
  };
}

/** 503 in the API's error shape, with Retry-After, naming no host or port of the platform. */
function expectUnavailable(answer: Answer, service: string) {
  expect(answer.status, answer.text).toBe(503);
  expect(answer.retryAfter).toMatch(/^\d+$/);
  expect(Object.keys(answer.body).sort()).toEqual(['error', 'message']);
  expect(answer.body.error).toBe('unavailable');
  expect(answer.body.message).toContain(`the ${service} service`);
  expect(answer.text).not.toContain('127.0.0.1');
  expect(answer.text).not.toContain(new URL(platform.url).port);
}

describe('the gateway in front of a service that stops answering', () => {
  it('passes answers through while the service answers', async () => {
    expect((await send(gateway, 'POST', '/v1/events', produced('B-1'))).status).toBe(202);
    expect((await send(gateway, 'GET', '/v1/notices')).status).toBe(200);
  });

  it(
    'answers 503 when the service does not answer in time, saying it may still complete it',
    { timeout: 30_000 },
    async () => {
      platform.child.kill('SIGSTOP');
      try {
        const answer = await send(impatientGateway, 'GET', '/v1/batches/B-1/trace');
        expectUnavailable(answer, 'trace-api');
        expect(answer.body.message).toMatch(/did not answer within 1 s/);
        expect(answer.body.message).toMatch(/Sending it again is safe: it only reads/);
      } finally {
        platform.child.kill('SIGCONT');
      }
    },
  );

  it(
    'answers 503 to a POST /v1/events whose connection dropped after it was sent, saying a retry is safe',
    { timeout: 30_000 },
    async () => {
      platform.child.kill('SIGSTOP');
      const port = Number(new URL(platform.url).port);
      const before = await unreadBytesAt(port);
      const answer = send(gateway, 'POST', '/v1/events', produced('B-2'));
      // The frozen platform's kernel took the request; killing it now drops the connection.
      await pollUntil(async () => (await unreadBytesAt(port)) > before, {
        timeoutMs: 10_000,
        what: 'the request to reach the frozen platform',
      });
      await platform.kill();
      const dropped = await answer;
      expectUnavailable(dropped, 'ingest');
      expect(dropped.body.message).toMatch(/may have received the request/);
      expect(dropped.body.message).toMatch(/sending the same request again is safe/i);
      expect(dropped.body.message).toMatch(/eventId/);
    },
  );

  it('answers 503 naming the service behind each route once it is down', async () => {
    const routes: Array<[string, string, string, unknown?]> = [
      ['POST', '/v1/events', 'ingest', produced('B-3')],
      ['POST', '/v1/parties', 'ingest', { partyId: 'p-2', name: 'p', roles: ['submitter'] }],
      ['GET', '/v1/recalls', 'recall'],
      ['GET', '/v1/notices', 'recall'],
      ['GET', '/v1/batches/B-1/trace?direction=both', 'trace-api'],
      ['GET', '/v1/batches?q=B', 'trace-api'],
      ['GET', '/openapi.json', 'trace-api'],
    ];
    for (const [method, path, service, body] of routes) {
      const answer = await send(gateway, method, path, body);
      expectUnavailable(answer, service);
      if (path !== '/openapi.json') {
        expect(answer.body.message).toMatch(/the request did not reach it/);
      }
    }
  });
});
