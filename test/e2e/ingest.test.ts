// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeIdFor } from '../../services/recall/plan-notices.js';
import {
  acknowledged,
  defectReported,
  inspected,
  produced,
  progressReported,
  recallClosed,
  recallInitiated,
  received,
  retracted,
  shipped,
} from '../support/event-builders.js';
import { pollUntil } from '../support/poll.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let plant: string;
let dist: string;
let samr: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  plant = await platform.createParty('plant-1');
  dist = await platform.createParty('dist-1');
  samr = await platform.createParty('samr', ['regulator']);
});
afterAll(() => platform?.stop());

/** Proves a rejected request wrote nothing: a later valid event becomes visible, the rejected batch never does. */
let markers = 0;
async function expectNothingWritten(batchId: string) {
  // A batch id names one batch: every check gets a marker of its own.
  const marker = produced(`marker-${batchId}-${(markers += 1)}`);
  expect((await platform.postEvents(plant, [marker])).status).toBe(202);
  await platform.waitForBatch(plant, marker.batchId);
  expect((await platform.request('GET', `/v1/batches/${batchId}`, { key: samr })).status).toBe(404);
}

describe('POST /v1/events', () => {
  it('accepts every event type from the party entitled to send it', async () => {
    const first = produced('EVERY-0');
    const fromPlant = [
      first,
      produced('EVERY-1'),
      shipped('S-EVERY-1', 'dist-1', ['EVERY-1']),
      inspected('EVERY-1', 'PASS'),
      defectReported('D-EVERY-1', ['EVERY-1'], 'MINOR'),
    ];
    const accepted = async (key: string, events: Array<{ eventId: string }>) => {
      const response = await platform.postEvents(key, events);
      expect(response.status, JSON.stringify(response.body)).toBe(202);
      expect(response.body).toEqual({
        results: events.map((e) => ({ eventId: e.eventId, status: 'accepted' })),
      });
    };
    await accepted(plant, fromPlant);
    await accepted(dist, [received('S-EVERY-1', 'plant-1', ['EVERY-1'])]);
    await platform.waitForBatch(plant, 'EVERY-1');
    await accepted(plant, [recallInitiated('R-EVERY-1', ['EVERY-1'], 'VOLUNTARY')]);

    // The recall service issues the notice; the recipient then answers it.
    const noticeId = noticeIdFor('R-EVERY-1', 'dist-1');
    const ack = acknowledged(noticeId);
    await pollUntil(async () => (await platform.postEvents(dist, [ack])).status === 202, {
      timeoutMs: 30_000,
      intervalMs: 50,
      what: 'the notice to dist-1',
    });
    await accepted(dist, [progressReported(noticeId, 30, 5)]);
    await accepted(samr, [recallClosed('R-EVERY-1')]);
    await accepted(plant, [retracted(first.eventId)]);

    const batch = await platform.request<{ timeline: Array<{ eventType: string }> }>(
      'GET',
      '/v1/batches/EVERY-1',
      { key: plant },
    );
    expect(new Set(batch.body.timeline.map((e) => e.eventType))).toEqual(
      new Set([
        'BatchProduced',
        'BatchShipped',
        'BatchReceived',
        'InspectionRecorded',
        'DefectReported',
        'RecallInitiated',
        'RecallNoticeIssued',
      ]),
    );
  });

  it('refuses RecallNoticeIssued from any client: the recall service issues notices', async () => {
    const notice = {
      eventId: crypto.randomUUID(),
      eventType: 'RecallNoticeIssued',
      eventTime: '2026-11-20T08:00:00Z',
      noticeId: 'N-FORGED',
      recallId: 'R-EVERY-1',
      recipient: 'dist-1',
      batches: [{ batchId: 'EVERY-1', quantity: 1, unit: 'kg' }],
      deadline: '2026-11-21T08:00:00Z',
    };
    expect((await platform.postEvents(samr, [notice])).status).toBe(403);
  });

  it('accepts a single event object as well as a list', async () => {
    const event = produced('SINGLE-1');
    const response = await platform.request('POST', '/v1/events', { key: plant, body: event });
    expect(response).toEqual({
      status: 202,
      body: { results: [{ eventId: event.eventId, status: 'accepted' }] },
    });
  });

  it('stores an event posted twice once, and answers duplicate the second time', async () => {
    const event = produced('TWICE-1');
    expect((await platform.postEvents(plant, [event])).body).toEqual({
      results: [{ eventId: event.eventId, status: 'accepted' }],
    });
    expect((await platform.postEvents(plant, [event, event])).body).toEqual({
      results: [
        { eventId: event.eventId, status: 'duplicate' },
        { eventId: event.eventId, status: 'duplicate' },
      ],
    });
    await platform.waitForBatch(plant, 'TWICE-1');
    const batch = await platform.request<{ timeline: unknown[] }>('GET', '/v1/batches/TWICE-1', {
      key: plant,
    });
    expect(batch.body.timeline).toHaveLength(1);
  });

  it('answers 409 when an event id comes back with a different body, and writes nothing of that request', async () => {
    const event = produced('CLASH-1');
    await platform.postEvents(plant, [event]);
    const other = produced('CLASH-2');
    const response = await platform.postEvents(plant, [other, { ...event, quantity: 999 }]);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      error: 'conflict',
      details: [{ index: 1, eventId: event.eventId, path: 'eventId' }],
    });
    await expectNothingWritten('CLASH-2');
  });

  const badInputs: Array<[string, () => unknown, number, RegExp]> = [
    [
      'a missing field',
      () => {
        const { batchId: _b, ...e } = produced('BAD-1');
        return { events: [e] };
      },
      400,
      /^events\[0\]\.batchId: is required/,
    ],
    [
      'a field of the wrong type',
      () => ({ events: [{ ...produced('BAD-1'), quantity: 'lots' }] }),
      400,
      /^events\[0\]\.quantity: /,
    ],
    [
      'an unknown event type',
      () => ({ events: [{ ...produced('BAD-1'), eventType: 'BatchBaked' }] }),
      400,
      /^events\[0\]\.eventType: unknown event type/,
    ],
    [
      'too many events',
      () => ({ events: Array.from({ length: 1001 }, (_, i) => produced(`BAD-${i}`)) }),
      400,
      /^events: at most 1000/,
    ],
    [
      'a shipment to an unknown party',
      () => ({ events: [produced('BAD-1'), shipped('S-BAD', 'nobody', ['BAD-1'])] }),
      400,
      /^events\[1\]\.to: unknown party nobody/,
    ],
    [
      'a quantity of zero',
      () => ({ events: [{ ...produced('BAD-1'), quantity: 0 }] }),
      400,
      /^events\[0\]\.quantity: must be greater than 0/,
    ],
    [
      'a negative quantity',
      () => ({ events: [shipped('S-BAD', 'dist-1', ['BAD-1'], -5)] }),
      400,
      /^events\[0\]\.lines\[0\]\.quantity: must be greater than 0/,
    ],
    [
      'a blank reference document number',
      () => ({
        events: [
          produced('BAD-1'),
          {
            ...shipped('S-BAD', 'dist-1', ['BAD-1']),
            referenceDocuments: [{ type: 'BILL_OF_LADING', number: '   ' }],
          },
        ],
      }),
      400,
      /^events\[1\]\.referenceDocuments\[0\]\.number: must not be blank/,
    ],
    // Issue 13: year -1 in UTC, which the store refused for ever, stopping projection …
    [
      'a time in the year 0 with an offset',
      () => ({ events: [{ ...produced('BAD-1'), eventTime: '0000-01-01T00:00:00+01:00' }] }),
      400,
      /^events\[0\]\.eventTime: must be between 1900-01-01T00:00:00\.000Z and 2299-12-31T23:59:59\.999Z/,
    ],
    // … and the year 0, which the store read back as the current year.
    [
      'a time in the year 0',
      () => ({ events: [{ ...produced('BAD-1'), eventTime: '0000-01-01T00:00:00Z' }] }),
      400,
      /^events\[0\]\.eventTime: must be between 1900-01-01T00:00:00\.000Z and 2299-12-31T23:59:59\.999Z/,
    ],
  ];

  it.each(badInputs)(
    'rejects %s with a message naming the field, and writes nothing',
    async (_name, body, status, message) => {
      const response = await platform.request<{
        error: string;
        message: string;
        details?: unknown[];
      }>('POST', '/v1/events', { key: plant, body: body() });
      expect(response.status).toBe(status);
      expect(response.body.message).toMatch(message);
      await expectNothingWritten('BAD-1');
    },
  );

  it('rejects a body that is not JSON, naming the body', async () => {
    const response = await platform.request<{ message: string }>('POST', '/v1/events', {
      key: plant,
      rawBody: '{"events": [',
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^body: not valid JSON/);
  });

  it('takes the party from the API key: posting as another party is forbidden and writes nothing', async () => {
    const response = await platform.postEvents(plant, [
      { ...produced('FORGED-1'), party: 'dist-1' },
    ]);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({
      error: 'forbidden',
      message: expect.stringMatching(/^party: /),
    });
    await expectNothingWritten('FORGED-1');
  });

  it('records the key owner as the acting party', async () => {
    await platform.postEvents(plant, [produced('OWNER-1')]);
    await platform.waitForBatch(plant, 'OWNER-1');
    const batch = await platform.request<{ producer: string }>('GET', '/v1/batches/OWNER-1', {
      key: plant,
    });
    expect(batch.body.producer).toBe('plant-1');
  });

  it('refuses requests without a key or with an unknown key', async () => {
    expect((await platform.request('POST', '/v1/events', { body: produced('NOKEY') })).status).toBe(
      401,
    );
    expect(
      (
        await platform.request('POST', '/v1/events', {
          key: 'sy_not-a-key',
          body: produced('NOKEY'),
        })
      ).status,
    ).toBe(401);
  });
});

describe('POST /v1/parties', () => {
  it('lets only an admin create parties, and shows the key once', async () => {
    const denied = await platform.request('POST', '/v1/parties', {
      key: plant,
      body: { partyId: 'x', name: 'x', roles: ['submitter'] },
    });
    expect(denied.status).toBe(403);
    const key = await platform.createParty('retailer-9', ['submitter'], '永辉超市 Yonghui');
    expect(key).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    const again = await platform.request('POST', '/v1/parties', {
      key: platform.url && 'sy_test-admin-key-0123456789abcdef',
      body: { partyId: 'retailer-9', name: 'x', roles: ['submitter'] },
    });
    expect(again.status).toBe(409);
  });
});

describe('probes', () => {
  it('answers /healthz and /readyz without a key', async () => {
    expect(await platform.request('GET', '/healthz')).toEqual({
      status: 200,
      body: { status: 'ok' },
    });
    expect((await platform.request('GET', '/readyz')).status).toBe(200);
  });
});
