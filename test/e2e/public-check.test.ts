// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
/**
 * The public trace-code check (扫码查询) as JSON against the real embedded platform, without any
 * key: the answers at /t/{code} and the GS1 Digital Link paths, the counting, and what each
 * party's public profile lets through (a walk over every field for parties that opted out).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../../services/common/epcis/check-digits.js';
import { canonicalUri } from '../../services/common/epcis/gs1-uri.js';
import { capture, epcisDocument } from '../support/epcis.js';
import { TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import {
  check,
  checkJson,
  GTIN,
  keys,
  leaves,
  SECRETS,
  setProfile,
  startPublicChain,
  WRONG_CHECK_DIGIT,
} from '../support/public-chain.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startPublicChain();
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
    // A batch's details are reused for up to PUBLIC_DETAILS_TTL_MS (2 s), and another process
    // reads a profile again after SHARED_PROFILE_TTL_MS (5 s, distributed mode).
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

  it('hides every batch of a party once it takes its profile back, as an unknown code', async () => {
    const plantKey = keys.plant ?? '';
    const removed = await platform.request('DELETE', '/v1/parties/plant/public-profile', {
      key: plantKey,
    });
    expect(removed.status).toBe(200);
    // At once in embedded mode; within SHARED_PROFILE_TTL_MS (5 s) on another trace-api process.
    const hidden = await pollUntil(
      async () => {
        const answer = await check('/t/POWDER-1', { json: true });
        return answer.status === 404 ? answer : undefined;
      },
      { what: 'the batch to be hidden', timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(hidden.text).toBe((await check('/t/NO-SUCH-CODE', { json: true })).text);
    const back = await setProfile('plant', plantKey, { showName: true, region: '呼和浩特 Hohhot' });
    expect(back.status).toBe(200);
    await pollUntil(
      async () => ((await checkJson('/t/POWDER-1')).status === 200 ? true : undefined),
      { what: 'the batch to be public again', timeoutMs: 15_000, intervalMs: 100 },
    );
  });

  it('lets only the party itself or an admin set its profile, and audits every change', async () => {
    const refused = await setProfile('plant', keys['farm-open'] ?? '', { showName: false });
    expect(refused.status).toBe(403);
    const bad = await setProfile('plant', keys.plant ?? '', { showName: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ message: expect.stringMatching(/^showName: /) });
    // Each service writes its audit rows in batches: wait for the three callers' rows on plant.
    const audit = await pollUntil(
      async () => {
        const rows = await platform.request<
          Array<{ action: string; target: string; actor: string }>
        >('GET', '/v1/audit?action=party.public-profile.set&target=plant&limit=100', {
          key: TEST_ADMIN_KEY,
        });
        const actors = new Set(rows.body.map((row) => row.actor));
        return ['admin', 'plant', 'farm-open'].every((actor) => actors.has(actor))
          ? rows.body
          : undefined;
      },
      { what: 'the profile changes in the audit trail', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(audit.every((row) => row.target === 'plant')).toBe(true);
  });
});
