import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produced } from '../support/event-builders.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let flood: string;
let calm: string;
let spelled: string;

const AUTH_FAILURES = 5;
const REFUSALS = 4;
const HOLD_MS = 400;

beforeAll(async () => {
  platform = await startTestPlatform({
    SUYUAN_RATE_LIMIT_MAX: '20',
    SUYUAN_RATE_LIMIT_WINDOW_MS: '60000',
    SUYUAN_AUTH_FAILURE_LIMIT_MAX: String(AUTH_FAILURES),
    SUYUAN_AUTH_FAILURE_LIMIT_WINDOW_MS: '60000',
    SUYUAN_REFUSAL_LIMIT_MAX: String(REFUSALS),
    SUYUAN_REFUSAL_LIMIT_WINDOW_MS: '60000',
    SUYUAN_LIMITED_HOLD_MS: String(HOLD_MS),
    // As behind the gateway: the client's address comes from X-Forwarded-For.
    SUYUAN_TRUST_PROXY: 'loopback',
  });
  flood = await platform.createParty('flood');
  calm = await platform.createParty('calm');
  spelled = await platform.createParty('spelled');
});
afterAll(() => platform?.stop());

const notices = (authorization: string | undefined, client?: string) =>
  fetch(`${platform.url}/v1/notices`, {
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(client === undefined ? {} : { 'x-forwarded-for': client }),
    },
  });

describe('per-key rate limits', () => {
  it('answers 429 with Retry-After once a key used its budget, and other keys go on', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 25; i += 1) {
      const response = await notices(`Bearer ${flood}`);
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        expect(await response.json()).toMatchObject({ error: 'rate_limited' });
      }
    }
    expect(statuses.slice(0, 20).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await platform.request('GET', '/v1/notices', { key: calm })).status).toBe(200);
    expect((await platform.request('GET', '/healthz')).status).toBe(200);
  });

  it('counts every spelling of the same key against one budget', async () => {
    const spellings = [`Bearer ${spelled}`, `bearer ${spelled}`, `BEARER ${spelled}`];
    spellings.push(`Bearer  ${spelled}`, `bEaReR\t${spelled} `);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      statuses.push((await notices(spellings[i % spellings.length])).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
  });
});

describe('failed authentication', () => {
  it('refuses an address that keeps failing, before any key lookup, and only that address', async () => {
    const attacker = '198.51.100.7';
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_FAILURES + 3; i += 1) {
      // A made-up key each time: each would have had a fresh per-key budget.
      const response = await notices(`Bearer sy_made-up-key-${i}`, attacker);
      statuses.push(response.status);
    }
    expect(statuses).toEqual([
      ...Array<number>(AUTH_FAILURES).fill(401),
      ...Array<number>(3).fill(429),
    ]);
    const refused = await notices(`Bearer ${calm}`, attacker);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      error: 'rate_limited',
      message: expect.stringMatching(/failed authentications .* from one address/),
    });
    // Another client, and the probes, are not affected.
    expect((await notices(`Bearer ${calm}`, '198.51.100.8')).status).toBe(200);
    expect((await notices(undefined, '198.51.100.8')).status).toBe(401);
    expect((await platform.request('GET', '/healthz')).status).toBe(200);
  });
});

describe('refused requests', () => {
  it('refuses a key that keeps asking beyond its reach, before any access is decided, and only that key', async () => {
    const owner = await platform.createParty('owner');
    const prober = await platform.createParty('prober');
    expect((await platform.postEvents(owner, [produced('OWNED')])).status).toBe(202);
    await platform.waitForBatch(owner, 'OWNED');
    const trace = (key: string) =>
      fetch(`${platform.url}/v1/batches/OWNED/trace?direction=both`, {
        headers: { authorization: `Bearer ${key}` },
      });
    const statuses: number[] = [];
    for (let i = 0; i < REFUSALS + 2; i += 1) statuses.push((await trace(prober)).status);
    expect(statuses).toEqual([...Array<number>(REFUSALS).fill(403), 429, 429]);
    // Refused on every keyed route now, even one it may read, with the reason and when to retry.
    const refused = await notices(`Bearer ${prober}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      error: 'rate_limited',
      message: expect.stringMatching(/refused requests \(403\) .* for one API key/),
    });
    // The owner, and any other key, go on.
    expect((await trace(owner)).status).toBe(200);
    expect((await notices(`Bearer ${calm}`)).status).toBe(200);
  });
});

describe('answers past a limit', () => {
  it('are held before they are sent, while other clients are answered at once', async () => {
    const limited = await platform.createParty('limited');
    for (let i = 0; i < 20; i += 1) await notices(`Bearer ${limited}`);
    // A flood on many connections from the limited key: each answer waits its hold.
    const flood = Array.from({ length: 32 }, async () => {
      const started = performance.now();
      const response = await notices(`Bearer ${limited}`);
      return { status: response.status, ms: performance.now() - started };
    });
    const other = await notices(`Bearer ${calm}`);
    const otherAnsweredAt = performance.now();
    const held = await Promise.all(flood);
    const allHeldAnsweredAt = performance.now();
    expect(other.status).toBe(200);
    expect(held.map((answer) => answer.status)).toEqual(Array<number>(32).fill(429));
    expect(Math.min(...held.map((answer) => answer.ms))).toBeGreaterThanOrEqual(HOLD_MS - 5);
    expect(allHeldAnsweredAt).toBeGreaterThan(otherAnsweredAt);
  });
});
