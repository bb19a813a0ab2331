/**
 * The public trace-code check (扫码查询) against the real embedded platform, without any key: the
 * JSON and HTML answers at /t/{code} and the GS1 Digital Link paths, what each party's public
 * profile lets through (a walk over every field for parties that opted out), the counting, and
 * that an unknown code and a code of which nothing is public cannot be told apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../../services/common/epcis/check-digits.js';
import { canonicalUri } from '../../services/common/epcis/gs1-uri.js';
import type { PublicCheck } from '../../services/common/api/public-check.js';
import { answerCheckFor, type AnswerCheck } from '../support/answer-schemas.js';
import { capture, epcisDocument } from '../support/epcis.js';
import {
  inspected,
  produced,
  received,
  recallInitiated,
  shipped,
} from '../support/event-builders.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

let platform: TestPlatform;
let answerCheck: AnswerCheck;
const keys: Record<string, string> = {};

const GTIN = `0690123456789${gs1CheckDigit('0690123456789')}`;
const WRONG_CHECK_DIGIT = `${GTIN.slice(0, 13)}${(Number(GTIN.slice(13)) + 1) % 10}`;
const MARKUP = '<img src=x onerror=alert(1)>&"\'';

/** What the opted-out parties are and hold: none of it may reach a public answer. */
const SECRETS = [
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

interface CheckAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** A public check as a phone or an app makes it: no key. */
async function check(
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

const checkJson = async (path: string, lang?: string) => {
  const answer = await check(path, { json: true, ...(lang ? { lang } : {}) });
  return { status: answer.status, body: JSON.parse(answer.text) as PublicCheck };
};

async function register(partyId: string, name: string, roles = ['submitter']) {
  const answer = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: { partyId, name, roles },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  keys[partyId] = answer.body.apiKey;
}

const setProfile = (partyId: string, key: string, body: unknown) =>
  platform.request('PUT', `/v1/parties/${partyId}/public-profile`, { key, body });

async function post(partyId: string, events: readonly unknown[]) {
  const answer = await platform.postEvents(keys[partyId] ?? '', events);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
}

/** Every leaf of a JSON value with its path: the privacy walk reads each one. */
function leaves(value: unknown, path = '$'): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, inner]) => leaves(inner, `${path}.${key}`));
  }
  return [[path, value]];
}

beforeAll(async () => {
  platform = await startTestPlatform({ SUYUAN_TRUST_PROXY: 'loopback' });
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
});
afterAll(() => platform?.stop());

describe('the public check as JSON', () => {
  it('shows the product, producer, public origin and inspections, and counts the checks', async () => {
    const first = await checkJson('/t/POWDER-1', 'en');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      code: 'POWDER-1',
      lang: 'en',
      recall: null,
      product: { id: GTIN, name: '全脂乳粉 whole milk powder' },
      producer: { name: '北疆乳业 Beijiang Dairy', region: '呼和浩特 Hohhot' },
      origin: [
        {
          product: { id: 'RAW-MILK', name: '生鲜乳 raw milk' },
          producer: { name: '绿源牧场 Lüyuan Farm', region: '内蒙古 Inner Mongolia' },
        },
      ],
      checks: { count: 1 },
    });
    expect(first.body.inspections).toEqual([
      expect.objectContaining({
        kind: 'THIRD_PARTY',
        passed: true,
        inspector: { name: '华测检测 CTI', region: null },
      }),
      expect.objectContaining({ kind: 'THIRD_PARTY', passed: false, inspector: null }),
    ]);
    const second = await checkJson('/t/POWDER-1');
    expect(second.body.lang).toBe('zh-CN');
    expect(second.body.checks).toEqual({
      count: 2,
      firstCheckedAt: first.body.checks.firstCheckedAt,
    });
  });

  it('answers a native batch with a GTIN product at its Digital Link path, and counts it as one code', async () => {
    const before = (await checkJson('/t/POWDER-1')).body.checks.count;
    const byLink = await checkJson(`/01/${GTIN}/10/POWDER-1`);
    expect(byLink.status).toBe(200);
    expect(byLink.body.product?.id).toBe(GTIN);
    expect(byLink.body.checks.count).toBe(before + 1);
    // The GTIN-13 form is the same GTIN.
    expect((await checkJson(`/01/${GTIN.slice(1)}/10/POWDER-1`)).status).toBe(200);
    // Not a batch of that GTIN: nothing.
    const otherGtin = `0690123456788${gs1CheckDigit('0690123456788')}`;
    expect((await checkJson(`/01/${otherGtin}/10/POWDER-1`)).status).toBe(404);
  });

  it('refuses a GTIN with a wrong check digit, naming the field', async () => {
    const answer = await check(`/01/${WRONG_CHECK_DIGIT}/10/POWDER-1`, { json: true });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/^gtin: /),
    });
  });

  it('answers a wrong check digit on the page too, as a 400 page naming the field', async () => {
    const page = await check(`/01/${WRONG_CHECK_DIGIT}/10/POWDER-1`, { lang: 'en' });
    expect(page.status).toBe(400);
    expect(page.text).toContain('This is not a valid code');
    expect(page.text).toContain('gtin: must be a GTIN');
  });

  it('answers an EPCIS lot at its own Digital Link path', async () => {
    await platform
      .request('POST', '/v1/parties', {
        key: TEST_ADMIN_KEY,
        body: {
          partyId: 'epcis-plant',
          name: 'EPCIS Plant',
          roles: ['submitter'],
          identifiers: ['urn:epc:id:pgln:6901234.00001'],
        },
      })
      .then((answer) => {
        expect(answer.status).toBe(201);
        keys['epcis-plant'] = (answer.body as { apiKey: string }).apiKey;
      });
    await setProfile('epcis-plant', TEST_ADMIN_KEY, { showName: true, region: null });
    const lot = 'urn:epc:class:lgtin:6901234.056789.L-77';
    await capture(
      platform,
      keys['epcis-plant'] ?? '',
      epcisDocument([
        {
          type: 'ObjectEvent',
          eventTime: '2026-11-20T08:00:00+08:00',
          eventTimeZoneOffset: '+08:00',
          action: 'ADD',
          bizStep: 'commissioning',
          quantityList: [{ epcClass: lot, quantity: 100, uom: 'KGM' }],
        },
      ]),
    );
    const batchId = canonicalUri(lot);
    const path = batchId.replace('https://id.gs1.org', '');
    const answer = await pollUntil(
      async () => {
        const found = await checkJson(path);
        return found.status === 200 ? found : undefined;
      },
      { what: 'the EPCIS lot to be public', timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(answer.body.producer).toEqual({ name: 'EPCIS Plant', region: null });
    // The same lot by /t/ and its Digital Link as the code: one code, one count.
    const byT = await checkJson(`/t/${encodeURIComponent(batchId)}`);
    expect(byT.body.checks.count).toBe(answer.body.checks.count + 1);
  });
});

describe('what a party has not opted in to', () => {
  it('appears in no field of the public JSON, in either language', async () => {
    for (const lang of ['zh-CN', 'en']) {
      const { body } = await checkJson('/t/POWDER-1', lang);
      const all = leaves(body);
      expect(all.length).toBeGreaterThan(10);
      for (const [path, value] of all) {
        if (typeof value !== 'string') continue;
        for (const secret of SECRETS) {
          expect(value.toLowerCase(), `${path} must not show ${secret}`).not.toContain(
            secret.toLowerCase(),
          );
        }
      }
      // Every field, named: nothing else is there to leak.
      expect(all.map(([path]) => path.replace(/\[\d+\]/g, '[]')).sort()).toEqual(
        [
          '$.checks.count',
          '$.checks.firstCheckedAt',
          '$.code',
          '$.lang',
          '$.origin[].producedAt',
          '$.origin[].producer.name',
          '$.origin[].producer.region',
          '$.origin[].product.id',
          '$.origin[].product.name',
          '$.producedAt',
          '$.producer.name',
          '$.producer.region',
          '$.product.id',
          '$.product.name',
          '$.recall',
          '$.inspections[].at',
          '$.inspections[].inspector',
          '$.inspections[].inspector.name',
          '$.inspections[].inspector.region',
          '$.inspections[].kind',
          '$.inspections[].kind',
          '$.inspections[].passed',
          '$.inspections[].passed',
          '$.inspections[].at',
        ].sort(),
      );
      const page = (await check('/t/POWDER-1', { lang })).text;
      for (const secret of SECRETS) expect(page).not.toContain(secret);
    }
  });

  it('shows a producer without its name when it opted in to its region only', async () => {
    const plantKey = keys.plant ?? '';
    const region = '呼和浩特 Hohhot';
    const producerOf = async () => (await checkJson('/t/POWDER-1')).body.producer;
    expect((await setProfile('plant', plantKey, { showName: false, region })).status).toBe(200);
    // A batch's details are reused for up to PUBLIC_DETAILS_TTL_MS (2 s).
    await pollUntil(async () => ((await producerOf())?.name === null ? true : undefined), {
      what: 'the name to be hidden',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    expect(await producerOf()).toEqual({ name: null, region });
    expect((await setProfile('plant', plantKey, { showName: true, region })).status).toBe(200);
    await pollUntil(async () => ((await producerOf())?.name ? true : undefined), {
      what: 'the name to be shown again',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  });

  it('hides every batch of a party at once when it takes its profile back', async () => {
    const plantKey = keys.plant ?? '';
    const removed = await platform.request('DELETE', '/v1/parties/plant/public-profile', {
      key: plantKey,
    });
    expect(removed.status).toBe(200);
    const [hidden, unknown] = [
      await check('/t/POWDER-1', { json: true }),
      await check('/t/NO-SUCH-CODE', { json: true }),
    ];
    expect(hidden.status).toBe(404);
    expect(hidden.text).toBe(unknown.text);
    const back = await setProfile('plant', plantKey, { showName: true, region: '呼和浩特 Hohhot' });
    expect(back.status).toBe(200);
    expect((await checkJson('/t/POWDER-1')).status).toBe(200);
  });

  it('lets only the party itself or an admin set its profile, and audits every change', async () => {
    const refused = await setProfile('plant', keys['farm-open'] ?? '', { showName: false });
    expect(refused.status).toBe(403);
    const bad = await setProfile('plant', keys.plant ?? '', { showName: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ message: expect.stringMatching(/^showName: /) });
    const audit = await pollUntil(
      async () => {
        const rows = await platform.request<
          Array<{ action: string; target: string; actor: string }>
        >('GET', '/v1/audit?action=party.public-profile.set&limit=50', { key: TEST_ADMIN_KEY });
        return rows.body.length >= 5 ? rows.body : undefined;
      },
      { what: 'the profile changes in the audit trail', timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ target: 'plant', actor: 'admin' }),
        expect.objectContaining({ target: 'plant', actor: 'plant' }),
        expect.objectContaining({ target: 'plant', actor: 'farm-open' }),
      ]),
    );
  });
});

describe('unknown and private codes', () => {
  it('answer alike: same status, same body, same page but for the code', async () => {
    const [privateJson, unknownJson] = await Promise.all([
      check('/t/RAW-SECRET', { json: true }),
      check('/t/NO-SUCH-CODE', { json: true }),
    ]);
    expect(privateJson.status).toBe(404);
    expect(unknownJson.status).toBe(404);
    expect(privateJson.text).toBe(unknownJson.text);
    const privatePage = await check('/t/RAW-SECRET');
    const unknownPage = await check('/t/NO-SUCH-CODE');
    expect(privatePage.status).toBe(404);
    expect(unknownPage.status).toBe(404);
    expect(privatePage.text.replaceAll('RAW-SECRET', 'CODE')).toBe(
      unknownPage.text.replaceAll('NO-SUCH-CODE', 'CODE'),
    );
    expect([...privatePage.headers.keys()].sort()).toEqual([...unknownPage.headers.keys()].sort());
  });

  it('take about the same time to answer', async () => {
    const timings: Record<string, number[]> = { private: [], unknown: [] };
    for (let i = 0; i < 150; i += 1) {
      for (const [kind, code] of [
        ['private', 'RAW-SECRET'],
        ['unknown', `NO-SUCH-${i}`],
      ] as const) {
        const started = performance.now();
        await fetch(`${platform.url}/t/${code}`, {
          headers: { accept: 'application/json', 'x-forwarded-for': `203.0.113.${i % 200}` },
        });
        timings[kind]?.push(performance.now() - started);
      }
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const [a, b] = [median(timings.private ?? []), median(timings.unknown ?? [])];
    // Each answer is a few index reads: their difference is far below what the network shows.
    expect(Math.abs(a - b), `medians ${a.toFixed(3)} ms and ${b.toFixed(3)} ms`).toBeLessThan(
      Math.max(0.5, 0.25 * Math.min(a, b)),
    );
  });
});

describe('the public page', () => {
  it('is Chinese by default and English when preferred, readable without JavaScript', async () => {
    const zh = await check('/t/POWDER-1');
    expect(zh.status).toBe(200);
    expect(zh.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(zh.text).toContain('<html lang="zh-CN">');
    expect(zh.text).toContain('全脂乳粉 whole milk powder');
    expect(zh.text).not.toContain('<script');
    const en = await check('/t/POWDER-1', { lang: 'en-GB,en;q=0.9,zh;q=0.5' });
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('This code has been checked');
  });

  it('shows a code and a product name holding markup as text', async () => {
    const page = await check(`/t/${encodeURIComponent(MARKUP)}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<img');
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const unknown = await check(`/t/${encodeURIComponent('<b>nope</b>')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('&lt;b&gt;nope&lt;/b&gt;');
  });
});

describe('a recall', () => {
  it('is public whatever the producer opted in to, and comes first on the page', async () => {
    await post('samr', [
      {
        ...recallInitiated('RC-PUBLIC-1', ['RAW-SECRET'], 'ORDERED', 1),
        reason: 'melamine 三聚氰胺',
      },
    ]);
    const secret = await pollUntil(
      async () => {
        const found = await checkJson('/t/RAW-SECRET', 'en');
        return found.status === 200 ? found.body : undefined;
      },
      { what: 'the recall to be public', timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(secret).toMatchObject({
      recall: { level: 1, reason: 'melamine 三聚氰胺', whatToDo: expect.stringContaining('Stop') },
      product: null,
      producer: null,
      origin: [],
      inspections: [],
    });
    for (const [path, value] of leaves(secret)) {
      for (const s of SECRETS.filter((x) => x !== 'RAW-SECRET')) {
        expect(String(value), path).not.toContain(s);
      }
    }
    // Downstream, once the recall's notices name the powder.
    const powder = await pollUntil(
      async () => {
        const found = await checkJson('/t/POWDER-1');
        return found.body.recall ? found.body : undefined;
      },
      { what: 'the recall to reach the powder', timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(powder.recall?.level).toBe(1);
    const page = (await check('/t/POWDER-1')).text;
    const body = page.slice(page.indexOf('<main>'));
    expect(body.indexOf('id="recall"')).toBeGreaterThan(0);
    expect(body.indexOf('id="recall"')).toBeLessThan(body.indexOf('<h1'));
    expect(page).toContain('role="alert"');
  });
});
