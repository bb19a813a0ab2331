import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let flood: string;
let calm: string;
let spelled: string;

const AUTH_FAILURES = 5;

beforeAll(async () => {
  platform = await startTestPlatform({
    SUYUAN_RATE_LIMIT_MAX: '20',
    SUYUAN_RATE_LIMIT_WINDOW_MS: '60000',
    SUYUAN_AUTH_FAILURE_LIMIT_MAX: String(AUTH_FAILURES),
    SUYUAN_AUTH_FAILURE_LIMIT_WINDOW_MS: '60000',
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
