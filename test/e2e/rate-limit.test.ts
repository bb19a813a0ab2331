import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let flood: string;
let calm: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    SUYUAN_RATE_LIMIT_MAX: '20',
    SUYUAN_RATE_LIMIT_WINDOW_MS: '60000',
  });
  flood = await platform.createParty('flood');
  calm = await platform.createParty('calm');
});
afterAll(() => platform?.stop());

describe('per-key rate limits', () => {
  it('answers 429 with Retry-After once a key used its budget, and other keys go on', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 25; i += 1) {
      const response = await fetch(`${platform.url}/v1/notices`, {
        headers: { authorization: `Bearer ${flood}` },
      });
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
});
