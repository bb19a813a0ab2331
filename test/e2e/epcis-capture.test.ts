// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUri } from '../../services/common/epcis/gs1-uri.js';
import { pollUntil } from '../support/poll.js';
import {
  capture,
  epcisDocument,
  eventsOf,
  http,
  query,
  queryUntil,
  type EpcisJson,
} from '../support/epcis.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
const keys: Record<string, string> = {};
const PLANT_PGLN = 'urn:epc:id:pgln:6901234.00001';
const SHOP_PGLN = 'urn:epc:id:pgln:6901234.00002';
let next = 0;
/** A lot of its own for each test, so tests do not see each other's events. */
const newLot = () => `urn:epc:class:lgtin:6901234.056789.T${++next}`;

const commissioning = (lot: string, extra: EpcisJson = {}): EpcisJson => ({
  type: 'ObjectEvent',
  eventTime: '2026-11-20T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass: lot, quantity: 100, uom: 'KGM' }],
  ...extra,
});

async function register(partyId: string, roles: string[], identifiers: string[] = []) {
  const answer = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: { partyId, name: partyId, roles, ...(identifiers.length ? { identifiers } : {}) },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  keys[partyId] = answer.body.apiKey;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  await register('plant', ['submitter'], [PLANT_PGLN]);
  await register('shop', ['submitter'], ['https://id.gs1.org/417/6901234000023']);
  await register('stranger', ['submitter']);
  await register('samr', ['regulator']);
});
afterAll(() => platform?.stop());

describe('capture (POST /epcis/capture)', () => {
  it('answers 202 with the job, whose events then answer queries', async () => {
    const lot = newLot();
    const job = await capture(platform, keys.plant!, epcisDocument([commissioning(lot)]));
    expect(job).toMatchObject({
      running: false,
      success: true,
      captureErrorBehaviour: 'rollback',
      errors: [],
    });
    expect(job.events).toEqual([
      { index: 0, eventID: expect.stringMatching(/^ni:\/\/\/sha-256;/), status: 'accepted' },
    ]);
    const [event] = await queryUntil(
      platform,
      keys.plant!,
      `?MATCH_epcClass=${encodeURIComponent(lot)}`,
      1,
    );
    // Returned as it came, with the hash ID it was captured under and its record time.
    expect(event).toMatchObject({ ...commissioning(lot), eventID: job.events[0]?.eventID });
    expect(event?.recordTime).toEqual(expect.any(String));
  });

  it('takes application/json as well, and a repeat is a duplicate, stored once', async () => {
    const document = epcisDocument([commissioning(newLot())]);
    const first = await capture(platform, keys.plant!, document, {
      'content-type': 'application/json',
    });
    const again = await capture(platform, keys.plant!, document);
    expect(again.events).toEqual([{ ...first.events[0], status: 'duplicate' }]);
  });

  it('announces its limits and refuses a document past them with 413, naming the limit', async () => {
    const options = await http(platform, 'OPTIONS', '/epcis/capture', { key: keys.plant });
    expect(options.status).toBe(204);
    // The defaults: EPCIS_CAPTURE_LIMIT and SUYUAN_BODY_LIMIT_BYTES.
    expect(options.headers.get('gs1-epcis-capture-limit')).toBe('1000');
    expect(options.headers.get('gs1-epcis-capture-file-size-limit')).toBe(String(16 * 1024 * 1024));
    const event = commissioning(newLot());
    const tenThousand = epcisDocument(Array.from({ length: 10_000 }, () => event));
    const tooMany = await http(platform, 'POST', '/epcis/capture', {
      key: keys.plant,
      body: tenThousand,
    });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.message).toMatch(/^epcisBody\.eventList: 10000 events; .*at most 1000/);
    expect(tooMany.headers.get('gs1-epcis-capture-limit')).toBe('1000');
    const fiftyMegabytes = JSON.stringify(
      epcisDocument([commissioning(newLot(), { 'suyuan:note': 'x'.repeat(50 * 1024 * 1024) })]),
    );
    const tooBig = await http(platform, 'POST', '/epcis/capture', {
      key: keys.plant,
      rawBody: fiftyMegabytes,
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toBe('payload_too_large');
    // The body parser's 413 announces the limits too, so a client learns what to split to.
    expect(tooBig.headers.get('gs1-epcis-capture-file-size-limit')).toBe(String(16 * 1024 * 1024));
    expect(tooBig.headers.get('gs1-epcis-capture-limit')).toBe('1000');
  });

  it('refuses what is not an EPCIS document with 400 naming the field', async () => {
    const notDocument = await http(platform, 'POST', '/epcis/capture', {
      key: keys.plant,
      body: { hello: 1 },
    });
    expect(notDocument.status).toBe(400);
    expect(notDocument.body.message).toMatch(/^type:/);
    const noContext = epcisDocument([commissioning(newLot())]);
    delete noContext['@context'];
    const missing = await http(platform, 'POST', '/epcis/capture', {
      key: keys.plant,
      body: noContext,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/@context: is required/);
    const notJson = await http(platform, 'POST', '/epcis/capture', {
      key: keys.plant,
      rawBody: '{"type":',
    });
    expect(notJson.status).toBe(400);
  });

  it('rolls a document back whole: the job names each bad event and field, nothing is written', async () => {
    const good = newLot();
    const document = epcisDocument([
      commissioning(good),
      commissioning(newLot(), { bizStep: 'https://ref.gs1.org/cbv/BizStep-shippping' }),
      commissioning(newLot(), { quantityList: [{ epcClass: 'not a uri', quantity: 1 }] }),
      commissioning(newLot(), { eventTimeZoneOffset: undefined }),
    ]);
    const job = await capture(platform, keys.plant!, document);
    expect(job.success).toBe(false);
    expect(job.errors.map((error) => error.title)).toEqual([
      expect.stringMatching(/^eventList\[1\]\.bizStep: unknown CBV bizStep/),
      expect.stringMatching(
        /^eventList\[2\]\.quantityList\[0\]\.epcClass: must match format "uri"/,
      ),
      'eventList[3].eventTimeZoneOffset: is required',
    ]);
    expect(job.errors[0]).toMatchObject({
      type: 'epcisException:ValidationException',
      status: 400,
    });
    expect(job.events.map((event) => event.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    // The good event of the rolled-back document is not there, even once a later capture is.
    const marker = newLot();
    await capture(platform, keys.plant!, epcisDocument([commissioning(marker)]));
    await queryUntil(platform, keys.plant!, `?MATCH_epcClass=${encodeURIComponent(marker)}`, 1);
    expect(
      (await query(platform, keys.plant!, `?MATCH_epcClass=${encodeURIComponent(good)}`)).events,
    ).toEqual([]);
    const trace = await platform.request(
      'GET',
      `/v1/batches/${encodeURIComponent(canonicalUri(good))}`,
      { key: keys.samr },
    );
    expect(trace.status).toBe(404);
  });

  it('with GS1-Capture-Error-Behaviour: proceed, keeps the good events and reports the bad', async () => {
    const good = newLot();
    const job = await capture(
      platform,
      keys.plant!,
      epcisDocument([commissioning(good), commissioning(newLot(), { action: 'MOVE' })]),
      { 'GS1-Capture-Error-Behaviour': 'proceed' },
    );
    expect(job).toMatchObject({ success: false, captureErrorBehaviour: 'proceed' });
    expect(job.errors).toEqual([expect.objectContaining({ index: 1, path: 'action' })]);
    expect(job.events.map((event) => event.status)).toEqual(['accepted', 'rejected']);
    await queryUntil(platform, keys.plant!, `?MATCH_epcClass=${encodeURIComponent(good)}`, 1);
  });

  it('refuses an event recorded in the name of another registered party (403 in the job)', async () => {
    const good = newLot();
    const job = await capture(
      platform,
      keys.plant!,
      epcisDocument([
        commissioning(good),
        commissioning(newLot(), { sourceList: [{ type: 'owning_party', source: SHOP_PGLN }] }),
      ]),
    );
    expect(job.errors).toEqual([
      expect.objectContaining({
        status: 403,
        type: 'epcisException:SecurityException',
        path: 'sourceList[0].source',
        index: 1,
      }),
    ]);
    // A refusal found while mapping rolls the document back as a schema error does.
    expect(job.events.map((event) => event.status)).toEqual(['rejected', 'rejected']);
    const marker = newLot();
    await capture(platform, keys.plant!, epcisDocument([commissioning(marker)]));
    await queryUntil(platform, keys.plant!, `?MATCH_epcClass=${encodeURIComponent(marker)}`, 1);
    expect(
      (await query(platform, keys.plant!, `?MATCH_epcClass=${encodeURIComponent(good)}`)).events,
    ).toEqual([]);
  });

  it('keeps each party to its own capture jobs', async () => {
    const job = await capture(platform, keys.plant!, epcisDocument([commissioning(newLot())]));
    const own = await http<Array<{ captureID: string }>>(
      platform,
      'GET',
      '/epcis/capture?perPage=2',
      { key: keys.plant },
    );
    expect(own.status).toBe(200);
    expect(own.body[0]?.captureID).toBe(job.captureID);
    expect(own.headers.get('link')).toMatch(/rel="next"/);
    const theirs = await http(platform, 'GET', `/epcis/capture/${job.captureID}`, {
      key: keys.stranger,
    });
    expect(theirs.status).toBe(404);
    expect(
      (await http(platform, 'GET', `/epcis/capture/${job.captureID}`, { key: keys.samr })).status,
    ).toBe(200);
  });
});

describe('one event at a time (POST /epcis/events)', () => {
  it('answers 201 with its Location, a repeat again, and 409 for another event under its eventID', async () => {
    const event = commissioning(newLot(), {
      eventID: 'urn:uuid:6a6c1ee4-65a7-4bbb-b7f6-000000000001',
    });
    const created = await http(platform, 'POST', '/epcis/events', { key: keys.plant, body: event });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('location')).toBe(
      `/epcis/events/${encodeURIComponent(String(event.eventID))}`,
    );
    expect(created.body).toMatchObject({ eventID: event.eventID, status: 'accepted' });
    const again = await http(platform, 'POST', '/epcis/events', { key: keys.plant, body: event });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ status: 'duplicate' });
    const other = { ...event, quantityList: [{ epcClass: newLot(), quantity: 1 }] };
    const conflict = await http(platform, 'POST', '/epcis/events', {
      key: keys.plant,
      body: other,
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toMatch(/^eventID:/);
    const path = `/epcis/events/${encodeURIComponent(String(event.eventID))}`;
    // The query reads the projection, which follows the log a moment later.
    const single = await pollUntil(
      async () => {
        const answer = await http(platform, 'GET', path, { key: keys.plant });
        return answer.status === 200 ? answer : undefined;
      },
      { what: `GET ${path}`, timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(eventsOf(single.body)).toEqual([expect.objectContaining({ eventID: event.eventID })]);
    const stranger = await http(platform, 'GET', path, { key: keys.stranger });
    expect(stranger.status).toBe(404);
  });

  it('answers 400 naming the field, and 403 for another party’s event', async () => {
    const bad = await http(platform, 'POST', '/epcis/events', {
      key: keys.plant,
      body: commissioning(newLot(), { disposition: 'spoilt' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^disposition:/);
    const forbidden = await http(platform, 'POST', '/epcis/events', {
      key: keys.plant,
      body: commissioning(newLot(), { sourceList: [{ type: 'owning_party', source: SHOP_PGLN }] }),
    });
    expect(forbidden.status).toBe(403);
  });

  it('refuses a serial id Suyuan has no way to place, naming the field', async () => {
    const answer = await http(platform, 'POST', '/epcis/events', {
      key: keys.plant,
      body: {
        type: 'ObjectEvent',
        eventTime: '2026-11-20T08:00:00Z',
        eventTimeZoneOffset: '+00:00',
        action: 'OBSERVE',
        bizStep: 'shipping',
        epcList: ['https://shop.example.cn/item/123'],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/^epcList\[0\]: .*cannot be placed on a trace/);
  });
});

describe('party identifiers (POST /v1/parties)', () => {
  it('refuses an identifier that is none, naming it, and one that another party holds', async () => {
    const bad = await platform.request<{ message: string }>('POST', '/v1/parties', {
      key: TEST_ADMIN_KEY,
      body: {
        partyId: 'p-bad',
        name: 'x',
        roles: ['submitter'],
        identifiers: ['urn:suyuan:uscc:91350100M000100Y44'],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^identifiers\[0\]: .*GB 32100/);
    const taken = await platform.request('POST', '/v1/parties', {
      key: TEST_ADMIN_KEY,
      body: {
        partyId: 'p-taken',
        name: 'x',
        roles: ['submitter'],
        identifiers: ['urn:epc:id:sgln:6901234.00001.0'],
      },
    });
    expect(taken.status).toBe(409);
  });

  it('resolves a destination to the registered party, by PGLN or 统一社会信用代码', async () => {
    await register('dist', ['submitter'], ['urn:suyuan:uscc:91350100M000100Y43']);
    const lot = newLot();
    await capture(platform, keys.plant!, epcisDocument([commissioning(lot)]));
    const job = await capture(
      platform,
      keys.plant!,
      epcisDocument([
        {
          type: 'ObjectEvent',
          eventTime: '2026-11-21T08:00:00Z',
          eventTimeZoneOffset: '+00:00',
          action: 'OBSERVE',
          bizStep: 'shipping',
          quantityList: [{ epcClass: lot, quantity: 60, uom: 'KGM' }],
          destinationList: [
            { type: 'owning_party', destination: 'urn:suyuan:uscc:91350100M000100Y43' },
          ],
        },
      ]),
    );
    expect(job.success).toBe(true);
    // The projector stores the shipment after the capture answers: wait for it on the trace.
    const shipments = await pollUntil(
      async () => {
        const trace = await platform.request<{ shipments: Array<{ from: string; to: string }> }>(
          'GET',
          `/v1/batches/${encodeURIComponent(canonicalUri(lot))}/trace`,
          { key: keys.samr },
        );
        return trace.status === 200 && trace.body.shipments.length > 0
          ? trace.body.shipments
          : undefined;
      },
      { what: `the shipment of ${lot} on its trace`, timeoutMs: 30_000 },
    );
    expect(shipments).toEqual([expect.objectContaining({ from: 'plant', to: 'dist' })]);
  });
});

describe('class patterns on the trace', () => {
  it('shows a class pattern a transformation named as an unresolved link of its lot’s trace', async () => {
    const input = newLot();
    const output = newLot();
    const pattern = 'urn:epc:idpat:sgtin:6901234.056789.*';
    const job = await capture(
      platform,
      keys.plant!,
      epcisDocument([
        commissioning(input),
        {
          type: 'TransformationEvent',
          eventTime: '2026-11-21T08:00:00+08:00',
          eventTimeZoneOffset: '+08:00',
          inputQuantityList: [
            { epcClass: input, quantity: 50, uom: 'KGM' },
            { epcClass: pattern, quantity: 5 },
          ],
          outputQuantityList: [{ epcClass: output, quantity: 40, uom: 'KGM' }],
        },
      ]),
    );
    expect(job.success, JSON.stringify(job.errors)).toBe(true);
    const unresolved = {
      epcisEventId: job.events[1]!.eventID,
      path: 'inputQuantityList[1].epcClass',
      id: canonicalUri(pattern),
      reason: expect.stringContaining('without a lot'),
    };
    for (const key of [keys.samr!, keys.plant!]) {
      const trace = await pollUntil(
        async () => {
          const answer = await platform.request<{ unresolvedLinks?: unknown[] }>(
            'GET',
            `/v1/batches/${encodeURIComponent(canonicalUri(output))}/trace`,
            { key },
          );
          // The serving index answers the trace before the store holds the links: wait for them.
          return answer.status === 200 && answer.body.unresolvedLinks ? answer.body : undefined;
        },
        { what: `the unresolved link on the trace of ${output}`, timeoutMs: 30_000 },
      );
      expect(trace.unresolvedLinks).toEqual([unresolved]);
    }
    // The input lot's own trace reaches the transformation, so it shows the link too.
    const upstream = await platform.request<{ unresolvedLinks?: unknown[] }>(
      'GET',
      `/v1/batches/${encodeURIComponent(canonicalUri(input))}/trace?direction=downstream`,
      { key: keys.samr },
    );
    expect(upstream.body.unresolvedLinks).toEqual([unresolved]);
    // GET /v1/batches/{id} takes the Digital Link URL-encoded, as the trace does.
    const batch = await platform.request<{ batchId: string; producer: string }>(
      'GET',
      `/v1/batches/${encodeURIComponent(canonicalUri(output))}`,
      { key: keys.plant },
    );
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({ batchId: canonicalUri(output), producer: 'plant' });
  });
});
