/**
 * The chain the public-check tests read, without any key: parties that opted in to their public
 * profile and parties that did not, and the helpers that check codes as a phone or an app does.
 */
import { expect } from 'vitest';
import { gs1CheckDigit } from '../../services/common/epcis/check-digits.js';
import type { PublicCheck } from '../../services/common/api/public-check.js';
import { answerCheckFor, type AnswerCheck } from './answer-schemas.js';
import { inspected, produced, received, shipped } from './event-builders.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from './platform.js';

let platform: TestPlatform;
let answerCheck: AnswerCheck;
/** The API keys of the chain's parties, by party id. */
export const keys: Record<string, string> = {};
/** The platform the chain runs on, once started. */
export const chainPlatform = (): TestPlatform => platform;

export const GTIN = `0690123456789${gs1CheckDigit('0690123456789')}`;
export const WRONG_CHECK_DIGIT = `${GTIN.slice(0, 13)}${(Number(GTIN.slice(13)) + 1) % 10}`;
export const MARKUP = '<img src=x onerror=alert(1)>&"\'';

/** What the opted-out parties are and hold: none of it may reach a public answer. */
export const SECRETS = [
  'farm-secret',
  '秘密牧场 Secret Farm',
  'RAW-SECRET',
  'secret raw milk 秘密生乳',
  'SECRET-PRODUCT',
  'Secret Operator 秘',
  'lab-secret',
  '保密检测所 Hidden Lab',
  'SHIP-SECRET',
];

export interface CheckAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** A public check as a phone or an app makes it: no key. */
export async function check(
  path: string,
  options: { json?: boolean; lang?: string; client?: string } = {},
): Promise<CheckAnswer> {
  const response = await fetch(`${platform.url}${path}`, {
    headers: {
      accept: options.json ? 'application/json' : 'text/html,application/xhtml+xml,*/*;q=0.8',
      ...(options.lang ? { 'accept-language': options.lang } : {}),
      ...(options.client ? { 'x-forwarded-for': options.client } : {}),
    },
  });
  const text = await response.text();
  if (options.json) {
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    answerCheck('GET', path.split('?')[0] ?? path, response.status, JSON.parse(text));
  }
  return { status: response.status, headers: response.headers, text };
}

export const checkJson = async (path: string, lang?: string) => {
  const answer = await check(path, { json: true, ...(lang ? { lang } : {}) });
  return { status: answer.status, body: JSON.parse(answer.text) as PublicCheck };
};

export async function register(partyId: string, name: string, roles = ['submitter']) {
  const answer = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: { partyId, name, roles },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  keys[partyId] = answer.body.apiKey;
}

export const setProfile = (partyId: string, key: string, body: unknown) =>
  platform.request('PUT', `/v1/parties/${partyId}/public-profile`, { key, body });

export async function post(partyId: string, events: readonly unknown[]) {
  const answer = await platform.postEvents(keys[partyId] ?? '', events);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
}

/** Every leaf of a JSON value with its path: the privacy walk reads each one. */
export function leaves(value: unknown, path = '$'): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, inner]) => leaves(inner, `${path}.${key}`));
  }
  return [[path, value]];
}

/**
 * Starts the platform and loads the chain: an opted-in farm and an opted-out one supply a plant
 * (opted in) whose powder a public and a private lab inspect, and a batch whose id and product
 * name hold markup.
 */
export async function startPublicChain(): Promise<TestPlatform> {
  // The per-address limit has its own test (public-check-limits); these checks all come from here.
  platform = await startTestPlatform({
    SUYUAN_TRUST_PROXY: 'loopback',
    SUYUAN_PUBLIC_RATE_LIMIT_MAX: '100000',
  });
  answerCheck = await answerCheckFor(platform.url);
  await register('farm-open', '绿源牧场 Lüyuan Farm');
  await register('farm-secret', '秘密牧场 Secret Farm');
  await register('plant', '北疆乳业 Beijiang Dairy');
  await register('lab-open', '华测检测 CTI');
  await register('lab-secret', '保密检测所 Hidden Lab');
  await register('samr', '市场监管总局 SAMR', ['regulator']);
  // The party itself sets its profile, or an admin does.
  expect(
    (
      await setProfile('farm-open', keys['farm-open'] ?? '', {
        showName: true,
        region: '内蒙古 Inner Mongolia',
      })
    ).status,
  ).toBe(200);
  expect(
    (await setProfile('plant', TEST_ADMIN_KEY, { showName: true, region: '呼和浩特 Hohhot' }))
      .status,
  ).toBe(200);
  expect((await setProfile('lab-open', keys['lab-open'] ?? '', { showName: true })).status).toBe(
    200,
  );

  await post('farm-open', [
    produced('RAW-OPEN', [], { product: { id: 'RAW-MILK', name: '生鲜乳 raw milk' } }),
    shipped('SHIP-OPEN', 'plant', ['RAW-OPEN']),
  ]);
  await post('farm-secret', [
    produced('RAW-SECRET', [], {
      product: { id: 'SECRET-PRODUCT', name: 'secret raw milk 秘密生乳' },
      operator: 'Secret Operator 秘',
    }),
    shipped('SHIP-SECRET', 'plant', ['RAW-SECRET']),
  ]);
  await post('plant', [
    received('SHIP-OPEN', 'farm-open', ['RAW-OPEN']),
    received('SHIP-SECRET', 'farm-secret', ['RAW-SECRET']),
    produced('POWDER-1', ['RAW-OPEN', 'RAW-SECRET'], {
      product: { id: GTIN, name: '全脂乳粉 whole milk powder' },
    }),
    produced(MARKUP, [], { product: { id: 'MARKUP', name: '<script>alert("x")</script>' } }),
  ]);
  await post('lab-open', [inspected('POWDER-1', 'PASS')]);
  await post('lab-secret', [inspected('POWDER-1', 'FAIL')]);
  await platform.waitForBatch(keys.plant ?? '', 'POWDER-1');
  await platform.waitForBatch(keys.plant ?? '', MARKUP);
  return platform;
}
