/**
 * The EPCIS query (GET /epcis/events) over captured and native events: filters, paging, what
 * each party may see, and the export of native events. Every answer is checked against the
 * official EPCIS 2.0 JSON Schema (test/support/epcis.ts).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUri } from '../../services/common/epcis/gs1-uri.js';
import { inspected, produced, received, retracted, shipped } from '../support/event-builders.js';
import {
  capture,
  epcisDocument,
  http,
  query,
  queryUntil,
  type EpcisJson,
  type HttpAnswer,
} from '../support/epcis.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

let platform: TestPlatform;
const keys: Record<string, string> = {};
const LOT = 'urn:epc:class:lgtin:6901234.056789.Q1';
const GLN = 'urn:epc:id:sgln:6901234.00001.0';
const BOL_URN = 'urn:epcglobal:cbv:bt:6901234000017:BOL-Q1';
/** The shop's receipt names the bill of lading, its goods receipt and a number with a space. */
const RECEIPT_DOCUMENTS = [
  { type: 'BILL_OF_LADING', number: BOL_URN },
  { type: 'RECEIVING_ADVICE', number: 'GR 2026/11-22' },
  { type: 'OTHER', number: 'urn:example:gr:22' },
];

const epcisEvent = (fields: EpcisJson): EpcisJson => ({
  type: 'ObjectEvent',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  ...fields,
});

const uri = encodeURIComponent;
const ids = (events: EpcisJson[]) => events.map((event) => event.eventID);

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const party of ['plant', 'shop', 'lab', 'stranger']) {
    const answer = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
      key: TEST_ADMIN_KEY,
      body: { partyId: party, name: party, roles: ['submitter'] },
    });
    keys[party] = answer.body.apiKey;
  }
  keys.samr = await platform.createParty('samr', ['regulator']);
  // Captured: the lot commissioned and shipped by the plant.
  await capture(
    platform,
    keys.plant!,
    epcisDocument([
      epcisEvent({
        eventID: 'urn:uuid:00000000-0000-4000-8000-0000000000a1',
        eventTime: '2026-11-20T08:00:00+08:00',
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        quantityList: [{ epcClass: LOT, quantity: 500, uom: 'KGM' }],
        bizLocation: { id: GLN },
      }),
      epcisEvent({
        eventID: 'urn:uuid:00000000-0000-4000-8000-0000000000a2',
        eventTime: '2026-11-21T08:00:00+08:00',
        bizStep: 'shipping',
        disposition: 'in_transit',
        quantityList: [{ epcClass: LOT, quantity: 200, uom: 'KGM' }],
        destinationList: [{ type: 'owning_party', destination: 'urn:suyuan:party:shop' }],
        bizTransactionList: [
          { type: 'desadv', bizTransaction: 'urn:suyuan:shipment:S-Q1' },
          { type: 'https://ref.gs1.org/cbv/BTT-bol', bizTransaction: BOL_URN },
          { type: 'po', bizTransaction: 'urn:example:po:7' },
        ],
      }),
    ]),
  );
  // Native: the shop receives; a product with a GTIN and one without; a shipment to the shop
  // recorded by mistake and retracted; an inspection.
  const at = (day: number) => ({ eventTime: `2026-11-${day}T00:00:00Z` });
  await platform.postEvents(keys.shop!, [
    {
      ...received('S-Q1', 'plant', [canonicalUri(LOT)], 200),
      ...at(22),
      referenceDocuments: RECEIPT_DOCUMENTS,
    },
  ]);
  const wrong = { ...shipped('S-WRONG', 'shop', ['B-GTIN'], 5), ...at(24) };
  await platform.postEvents(keys.plant!, [
    {
      ...produced('B-GTIN'),
      ...at(23),
      product: { id: '06901234567892', name: '全脂乳粉' },
      operator: '王建国',
    },
    { ...produced('B-PLAIN'), ...at(23), product: { id: 'SKU-9', name: '散装 bulk' } },
    wrong,
    { ...retracted(wrong.eventId), ...at(24) },
  ]);
  await platform.postEvents(keys.lab!, [
    { ...inspected('B-GTIN', 'FAIL', 'THIRD_PARTY'), ...at(25) },
  ]);
  await queryUntil(platform, keys.samr, '', 7);
}, 120_000);
afterAll(() => platform?.stop());

describe('filters', () => {
  it('selects by type, time, action, bizStep, disposition, location and event ID', async () => {
    const shipping = await query(platform, keys.samr!, '?EQ_bizStep=shipping');
    expect(ids(shipping.events)).toEqual([
      'urn:uuid:00000000-0000-4000-8000-0000000000a2',
      expect.stringMatching(/^urn:uuid:/),
    ]);
    expect(shipping.events[1]).toMatchObject({ errorDeclaration: expect.any(Object) }); // the retracted native one
    const later = await query(
      platform,
      keys.samr!,
      `?GE_eventTime=${uri('2026-11-21T00:00:00Z')}&EQ_action=OBSERVE`,
    );
    expect(later.events.every((event) => String(event.eventTime) >= '2026-11-21')).toBe(true);
    expect(later.events.every((event) => event.action === 'OBSERVE')).toBe(true);
    const before = await query(
      platform,
      keys.samr!,
      `?LT_eventTime=${uri('2026-11-21T00:00:00+08:00')}`,
    );
    expect(ids(before.events)).toEqual(['urn:uuid:00000000-0000-4000-8000-0000000000a1']);
    const failed = await query(platform, keys.samr!, '?EQ_disposition=non_conformant');
    expect(failed.events).toEqual([
      expect.objectContaining({ bizStep: 'inspecting', 'suyuan:inspectionKind': 'THIRD_PARTY' }),
    ]);
    const here = await query(platform, keys.samr!, `?EQ_bizLocation=${uri(GLN)}`);
    expect(ids(here.events)).toEqual(['urn:uuid:00000000-0000-4000-8000-0000000000a1']);
    const one = await query(
      platform,
      keys.samr!,
      `?EQ_eventID=${uri('urn:uuid:00000000-0000-4000-8000-0000000000a2')}|x:y`,
    );
    expect(one.events).toHaveLength(1);
    const declared = await query(platform, keys.samr!, '?EXISTS_errorDeclaration=true');
    expect(declared.events).toEqual([
      expect.objectContaining({
        bizStep: 'shipping',
        eventID: expect.stringMatching(/^urn:uuid:/),
      }),
    ]);
    const transformations = await query(platform, keys.samr!, '?eventType=TransformationEvent');
    expect(transformations.events).toEqual([]);
  });

  it('matches identifiers in any syntax, and class patterns, across captured and native events', async () => {
    for (const form of [
      LOT,
      canonicalUri(LOT),
      'https://brand.example.cn/01/6901234567892/10/Q1',
    ]) {
      const { events } = await query(platform, keys.samr!, `?MATCH_anyEPCClass=${uri(form)}`);
      // The commissioning, the shipment (captured) and the receipt (native).
      expect(
        events.map((event) => event.bizStep),
        form,
      ).toEqual(['commissioning', 'shipping', 'receiving']);
    }
    const pattern = await query(
      platform,
      keys.samr!,
      `?MATCH_epcClass=${uri('urn:epc:idpat:sgtin:6901234.056789.*')}`,
    );
    // Every lot of that GTIN: Q1's three events and the native B-GTIN's (its product is the GTIN).
    expect(pattern.events.length).toBe(6);
    const nothing = await query(
      platform,
      keys.samr!,
      `?MATCH_epc=${uri('urn:epc:id:sgtin:6901234.056789.404')}`,
    );
    expect(nothing.events).toEqual([]);
  });

  it('refuses a malformed time or page size, naming the parameter', async () => {
    const time = await http(platform, 'GET', '/epcis/events?GE_eventTime=yesterday', {
      key: keys.samr,
    });
    expect(time.status).toBe(400);
    expect(time.body.message).toMatch(/^GE_eventTime:/);
    const perPage = await http(platform, 'GET', '/epcis/events?perPage=0', { key: keys.samr });
    expect(perPage.status).toBe(400);
    expect(perPage.body.message).toMatch(/^perPage:/);
    const token = await http(platform, 'GET', '/epcis/events?nextPageToken=garbage', {
      key: keys.samr,
    });
    expect(token.status).toBe(400);
  });
});

describe('paging', () => {
  it('gives every event once, in order, whatever the page size (property)', async () => {
    const { events: all } = await query(platform, keys.samr!, '?perPage=1000');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), async (perPage) => {
        const seen: unknown[] = [];
        let path: string | undefined = `/epcis/events?perPage=${perPage}`;
        while (path) {
          const page: HttpAnswer = await http(platform, 'GET', path, { key: keys.samr });
          expect(page.status).toBe(200);
          const events = (
            page.body.epcisBody as { queryResults: { resultsBody: { eventList: EpcisJson[] } } }
          ).queryResults.resultsBody.eventList;
          expect(events.length).toBeLessThanOrEqual(perPage);
          seen.push(...ids(events));
          const link: string | null = page.headers.get('link');
          path = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
        }
        expect(seen).toEqual(ids(all));
      }),
      { numRuns: 6 },
    );
  });
});

describe('what a party sees, and the export of native events', () => {
  it('shows a party its own events and those one step around what it handled', async () => {
    const shop = await query(platform, keys.shop!);
    // The production and shipment of the lot it received, its receipt, and the (retracted)
    // shipment addressed to it; nothing of the plant's other batches, which a retracted
    // shipment alone does not make its own.
    expect(
      shop.events.map((event) => [event.bizStep, event.errorDeclaration !== undefined]),
    ).toEqual([
      ['commissioning', false],
      ['shipping', false],
      ['receiving', false],
      ['shipping', true],
    ]);
    const stranger = await query(platform, keys.stranger!);
    expect(stranger.events).toEqual([]);
    const single = await http(
      platform,
      'GET',
      `/epcis/events/${uri('urn:uuid:00000000-0000-4000-8000-0000000000a1')}`,
      { key: keys.stranger },
    );
    expect(single.status).toBe(404);
  });

  it('answers 404 naming the eventID for any ID it does not hold, `|` and control characters included (property)', async () => {
    // `.` and `..` are not IDs in a URL path but steps of it, which the client resolves away.
    const ids = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 12 })
      .filter((id) => id !== '.' && id !== '..');
    await fc.assert(
      fc.asyncProperty(ids, async (id) => {
        const answer = await http(platform, 'GET', `/epcis/events/${uri(id)}`, {
          key: keys.samr,
        });
        expect([answer.status, answer.body.message]).toEqual([
          404,
          expect.stringMatching(/^eventID: /),
        ]);
      }),
      { numRuns: 40, examples: [['|\u0005'], ['a|b'], ['|']] },
    );
  });

  it('exports a batch of a GTIN product as its LGTIN Digital Link, any other as a platform URI', async () => {
    const { events } = await query(platform, keys.samr!, '?EQ_bizStep=commissioning&EQ_action=ADD');
    const classes = events.flatMap((event) =>
      (event.quantityList as Array<{ epcClass: string }>).map((q) => q.epcClass),
    );
    expect(classes).toEqual(
      expect.arrayContaining([
        'https://id.gs1.org/01/06901234567892/10/B-GTIN',
        'urn:suyuan:batch:B-PLAIN',
      ]),
    );
    const gtin = events.find((event) => JSON.stringify(event).includes('B-GTIN'));
    expect(gtin).toMatchObject({
      'suyuan:operator': '王建国',
      'suyuan:party': 'plant',
      recordTime: expect.any(String),
    });
  });

  it('exports a receipt’s reference documents as business transactions after its shipment id', async () => {
    const { events } = await query(platform, keys.samr!, '?EQ_bizStep=receiving');
    expect(events.map((event) => event.bizTransactionList)).toEqual([
      [
        { type: 'desadv', bizTransaction: 'urn:suyuan:shipment:S-Q1' },
        { type: 'bol', bizTransaction: BOL_URN },
        { type: 'recadv', bizTransaction: 'urn:suyuan:document:GR%202026%2F11-22' },
        { bizTransaction: 'urn:example:gr:22' },
      ],
    ]);
  });

  it('captures a shipment’s business transactions as its reference documents', async () => {
    const batch = await platform.request<{
      timeline: Array<{ eventType: string; data: Record<string, unknown> }>;
    }>('GET', `/v1/batches/${uri(canonicalUri(LOT))}`, { key: keys.samr });
    expect(batch.status).toBe(200);
    const data = (type: string) =>
      batch.body.timeline.find((entry) => entry.eventType === type)?.data;
    expect(data('BatchShipped')).toMatchObject({
      shipmentId: 'S-Q1',
      referenceDocuments: [
        { type: 'BILL_OF_LADING', number: BOL_URN },
        { type: 'PURCHASE_ORDER', number: 'urn:example:po:7' },
      ],
    });
    expect(data('BatchReceived')).toMatchObject({ referenceDocuments: RECEIPT_DOCUMENTS });
  });

  it('records a regulator’s query in the audit trail, with its filters, and not a party’s', async () => {
    await query(platform, keys.samr!, `?EQ_bizStep=shipping&MATCH_anyEPCClass=${uri(LOT)}`);
    await query(platform, keys.plant!, '?EQ_bizStep=receiving');
    const entries = await pollUntil(
      async () => {
        const audit = await platform.request<Array<Record<string, unknown>>>(
          'GET',
          '/v1/audit?action=epcis.query',
          { key: TEST_ADMIN_KEY },
        );
        const found = audit.body.filter(
          (entry) => (entry.detail as Record<string, unknown>).EQ_bizStep === 'shipping',
        );
        return found.length > 0 ? audit.body : undefined;
      },
      { what: 'the audit entry of the regulator’s EPCIS query', timeoutMs: 10_000 },
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: 'samr',
        action: 'epcis.query',
        route: '/epcis/events',
        status: 200,
        detail: { EQ_bizStep: 'shipping', MATCH_anyEPCClass: LOT },
      }),
    );
    expect(entries.filter((entry) => entry.actor === 'plant')).toEqual([]);
  });
});

describe('record time and instance identifiers', () => {
  it('selects by GE_/LT_recordTime, MATCH_epc and MATCH_anyEPC', async () => {
    const { events: earlier } = await query(platform, keys.plant!, '?perPage=1000');
    const boundary = new Date().toISOString();
    const ITEM = 'urn:epc:id:sgtin:6901234.056789.S1';
    const PALLET = 'urn:epc:id:sscc:6901234.0000000001';
    await capture(
      platform,
      keys.plant!,
      epcisDocument([
        epcisEvent({
          eventID: 'urn:uuid:00000000-0000-4000-8000-0000000000b1',
          eventTime: '2026-11-26T08:00:00+08:00',
          epcList: [ITEM],
        }),
        {
          type: 'AggregationEvent',
          eventID: 'urn:uuid:00000000-0000-4000-8000-0000000000b2',
          eventTime: '2026-11-26T09:00:00+08:00',
          eventTimeZoneOffset: '+08:00',
          action: 'OBSERVE',
          parentID: PALLET,
          childEPCs: [ITEM],
        },
      ]),
    );
    const recent = await queryUntil(platform, keys.plant!, `?GE_recordTime=${uri(boundary)}`, 2);
    expect(ids(recent)).toEqual([
      'urn:uuid:00000000-0000-4000-8000-0000000000b1',
      'urn:uuid:00000000-0000-4000-8000-0000000000b2',
    ]);
    const { events: older } = await query(
      platform,
      keys.plant!,
      `?LT_recordTime=${uri(boundary)}&perPage=1000`,
    );
    expect(ids(older)).toEqual(ids(earlier));
    // MATCH_epc: an epcList or childEPCs entry (EPCIS 2.0 §8.2.7.1); MATCH_anyEPC a parentID
    // too; identifiers in any syntax.
    const item = await query(platform, keys.plant!, `?MATCH_epc=${uri(canonicalUri(ITEM))}`);
    expect(ids(item.events)).toEqual(ids(recent));
    const pallet = await query(platform, keys.plant!, `?MATCH_anyEPC=${uri(PALLET)}`);
    expect(ids(pallet.events)).toEqual(['urn:uuid:00000000-0000-4000-8000-0000000000b2']);
    const onlyParent = await query(platform, keys.plant!, `?MATCH_epc=${uri(PALLET)}`);
    expect(onlyParent.events).toEqual([]);
  });
});
