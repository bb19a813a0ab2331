// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
/**
 * A dairy chain told twice — once in GS1 EPCIS 2.0 (test/fixtures/epcis/dairy-*.jsonld:
 * commissioning, a transformation, lots packed on an SSCC, the SSCC shipped and received, a
 * failed supervisory sampling, an error declaration) and once as native events — gives the same
 * trace, and the failed sampling opens the recall the policy says, whose notice reaches the
 * holder of the pallet's lots.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUri, parseGs1Uri } from '../../services/common/epcis/gs1-uri.js';
import { capture, type EpcisJson } from '../support/epcis.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/epcis/${name}.jsonld`, 'utf8')) as EpcisJson;

const RAW = canonicalUri('urn:epc:class:lgtin:6901234.000001.RAW20261120');
const WMP_A = canonicalUri('urn:epc:class:lgtin:6901234.056789.WMP20261121A');
const WMP_B = canonicalUri('urn:epc:class:lgtin:6901234.056789.WMP20261121B');
const TK = 'urn:epcglobal:cbv:bt:6901234000017:TK-0001';
const DN = 'urn:epcglobal:cbv:bt:6901234000024:DN-0002';
const RAW_GTIN = parseGs1Uri(RAW)?.gtin;
const WMP_GTIN = parseGs1Uri(WMP_A)?.gtin;

/** The native chain names its lots and shipments apart: the EPCIS ones with an N. */
const native = (id: string) => `${id}N`;

interface Trace {
  batches: Array<Record<string, unknown>>;
  derivations: Array<Record<string, unknown>>;
  shipments: Array<Record<string, unknown>>;
  inspections: Array<Record<string, unknown>>;
  parties: Array<Record<string, unknown>>;
}

let platform: TestPlatform;
let receiver: WebhookReceiver;
const keys: Record<string, string> = {};

async function register(partyId: string, pgln: string, roles = ['submitter']) {
  const answer = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: {
      partyId,
      name: `name of ${partyId}`,
      roles,
      identifiers: [pgln],
      webhook: {
        url: `${receiver.url}/${partyId}`,
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      },
    },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  keys[partyId] = answer.body.apiKey;
}

async function post(party: string, events: unknown[]) {
  const response = await platform.postEvents(keys[party]!, events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
}

let next = 0;
const id = () => `5b1d0e2a-9999-4000-8000-${String(++next).padStart(12, '0')}`;
const kg = (batchId: string, quantity: number) => ({ batchId, quantity, unit: 'kg' });

/** The same chain as native events, posted by the same parties. */
async function postNativeChain() {
  const raw = native(RAW);
  const [a, b] = [native(WMP_A), native(WMP_B)];
  const milk = { id: RAW_GTIN, name: '生鲜乳 raw milk' };
  const powder = { id: WMP_GTIN, name: '全脂乳粉 whole milk powder' };
  await post('farm', [
    {
      eventId: id(),
      eventType: 'BatchProduced',
      eventTime: '2026-11-20T05:00:00+08:00',
      operator: '李娜',
      batchId: raw,
      product: milk,
      quantity: 12000,
      unit: 'kg',
    },
    {
      eventId: id(),
      eventType: 'BatchShipped',
      eventTime: '2026-11-20T07:00:00+08:00',
      operator: '李娜',
      shipmentId: native(TK),
      to: 'plant',
      lines: [kg(raw, 12000)],
    },
  ]);
  const wrong = id();
  await post('plant', [
    {
      eventId: id(),
      eventType: 'BatchReceived',
      eventTime: '2026-11-20T11:00:00+08:00',
      operator: '张伟',
      shipmentId: native(TK),
      from: 'farm',
      lines: [kg(raw, 11980)],
    },
    {
      eventId: id(),
      eventType: 'BatchProduced',
      eventTime: '2026-11-21T09:00:00+08:00',
      operator: '王建国',
      batchId: a,
      product: powder,
      quantity: 1000,
      unit: 'kg',
      inputs: [kg(raw, 11980)],
    },
    {
      eventId: id(),
      eventType: 'BatchProduced',
      eventTime: '2026-11-21T09:00:00+08:00',
      operator: '王建国',
      batchId: b,
      product: powder,
      quantity: 450,
      unit: 'kg',
      inputs: [kg(raw, 11980)],
    },
    {
      eventId: id(),
      eventType: 'BatchShipped',
      eventTime: '2026-11-22T08:00:00+08:00',
      operator: '王建国',
      shipmentId: native(DN),
      to: 'dist',
      lines: [kg(a, 600), kg(b, 400)],
    },
    {
      eventId: wrong,
      eventType: 'BatchShipped',
      eventTime: '2026-11-22T09:00:00+08:00',
      operator: '王建国',
      shipmentId: 'DN-0003N',
      to: 'shop',
      lines: [kg(a, 100)],
    },
    {
      eventId: id(),
      eventType: 'EventRetracted',
      eventTime: '2026-11-22T10:00:00+08:00',
      targetEventId: wrong,
      reason: 'wrong customer',
    },
  ]);
  await post('dist', [
    {
      eventId: id(),
      eventType: 'BatchReceived',
      eventTime: '2026-11-22T16:00:00+08:00',
      operator: '赵敏',
      shipmentId: native(DN),
      from: 'plant',
      lines: [kg(a, 600), kg(b, 400)],
    },
  ]);
  await post('samr', [
    {
      eventId: id(),
      eventType: 'InspectionRecorded',
      eventTime: '2026-11-23T10:00:00+08:00',
      batchId: a,
      kind: 'SUPERVISORY_SAMPLING',
      result: 'FAIL',
      findings: [{ item: '黄曲霉毒素M1 aflatoxin M1', value: '0.8', limit: '0.5', unit: 'μg/kg' }],
      standard: 'GB 2761-2017',
      report: 'https://samr.example.cn/report/SAMR-2026-0193',
    },
  ]);
}

async function trace(batchId: string): Promise<Trace> {
  const answer = await platform.request<Trace>(
    'GET',
    `/v1/batches/${encodeURIComponent(batchId)}/trace?direction=both`,
    { key: keys.samr },
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** A trace with the native chain's ids, and without the ids only one telling has (event ids). */
function comparable(trace: Trace, rename: (id: string) => string) {
  const drop = ({
    eventId: _e,
    eventIds: _es,
    inspectionId: _i,
    ...rest
  }: Record<string, unknown>) => rest;
  const renamed = JSON.parse(
    JSON.stringify(trace, (_key, value: unknown) =>
      typeof value === 'string' ? rename(value) : value,
    ),
  ) as Trace;
  return {
    batches: renamed.batches.map(drop),
    derivations: renamed.derivations.map(drop),
    shipments: renamed.shipments.map(drop),
    inspections: renamed.inspections.map(drop),
    parties: renamed.parties,
  };
}

const EPCIS_IDS = [RAW, WMP_A, WMP_B, TK, DN];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  platform = await startTestPlatform({ SUYUAN_WEBHOOK_ALLOW_PRIVATE: 'true' });
  await register('farm', 'urn:epc:id:pgln:6901234.00001');
  await register('plant', 'urn:epc:id:pgln:6901234.00002');
  await register('dist', 'urn:epc:id:pgln:6901234.00003');
  await register('shop', 'urn:epc:id:pgln:6901234.00004');
  await register('samr', 'urn:suyuan:uscc:91110000802100433B', ['regulator']);
  for (const [party, document] of [
    ['farm', 'dairy-farm'],
    ['plant', 'dairy-plant'],
    ['plant', 'dairy-plant-correction'],
    ['dist', 'dairy-distributor'],
    ['samr', 'dairy-sampling'],
  ] as const) {
    const job = await capture(platform, keys[party]!, fixture(document));
    expect(job.errors, document).toEqual([]);
    expect(job.success, document).toBe(true);
  }
  await postNativeChain();
  // Both recalls open once the projector and the recall service have seen the samplings.
  await pollUntil(
    async () => {
      const [epcis, natives] = await Promise.all(
        [WMP_A, native(WMP_A)].map((batchId) =>
          platform.request<unknown[]>('GET', `/v1/recalls?batchId=${encodeURIComponent(batchId)}`, {
            key: keys.samr,
          }),
        ),
      );
      return epcis?.body.length === 1 && natives?.body.length === 1;
    },
    { what: 'the recalls of both samplings', timeoutMs: 60_000, intervalMs: 100 },
  );
}, 180_000);
afterAll(async () => {
  await platform?.stop();
  await receiver?.close();
});

describe('a dairy chain captured in EPCIS', () => {
  it('traces exactly as the same chain posted as native events', async () => {
    const fromEpcis = await trace(RAW);
    const fromNative = await trace(native(RAW));
    expect(fromEpcis.batches.map((batch) => batch.batchId)).toEqual([RAW, WMP_A, WMP_B]);
    expect(
      comparable(fromEpcis, (value) => (EPCIS_IDS.includes(value) ? native(value) : value)),
    ).toEqual(comparable(fromNative, (value) => value));
  });

  it('follows the pallet: the lots packed on the SSCC reach the distributor, the retracted shipment does not', async () => {
    const shipmentsOf = async (batchId: string) =>
      (await trace(batchId)).shipments.filter((shipment) => shipment.batchId === batchId);
    expect(await shipmentsOf(WMP_A)).toEqual([
      expect.objectContaining({
        shipmentId: DN,
        from: 'plant',
        to: 'dist',
        quantity: 600,
        unit: 'kg',
        receivedQuantity: 600,
      }),
    ]);
    expect(await shipmentsOf(WMP_B)).toEqual([
      expect.objectContaining({ shipmentId: DN, quantity: 400, receivedQuantity: 400 }),
    ]);
  });

  it('opens the recall the policy says for the failed supervisory sampling', async () => {
    const recalls = await platform.request<Array<Record<string, unknown>>>(
      'GET',
      `/v1/recalls?batchId=${encodeURIComponent(WMP_A)}`,
      { key: keys.samr },
    );
    expect(recalls.body).toEqual([
      expect.objectContaining({ level: 2, mode: 'ORDERED', rootBatchIds: [WMP_A], status: 'open' }),
    ]);
  });

  it('notifies the holder of the pallet’s lots, and the producer, by webhook', async () => {
    const notices = await pollUntil(
      () => {
        const delivered = receiver.received.filter(
          (webhook) =>
            webhook.status === 200 &&
            webhook.body.includes(WMP_A) &&
            !webhook.body.includes(native(WMP_A)),
        );
        const paths = new Set(delivered.map((webhook) => webhook.path));
        return paths.has('/dist') && paths.has('/plant') ? delivered : undefined;
      },
      { what: 'notices at the distributor and the plant', timeoutMs: 60_000, intervalMs: 100 },
    );
    const atDistributor = JSON.parse(
      notices.find((webhook) => webhook.path === '/dist')?.body ?? '{}',
    ) as {
      batches: unknown[];
    };
    expect(atDistributor.batches).toEqual([{ batchId: WMP_A, quantity: 600, unit: 'kg' }]);
    // The shop only appears in the shipment the plant retracted: no notice for it.
    expect(
      receiver.received.some((webhook) => webhook.path === '/shop' && webhook.body.includes(WMP_A)),
    ).toBe(false);
  });
});
