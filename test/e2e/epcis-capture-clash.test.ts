// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
/**
 * An eventID captured again with another body is refused as a conflict on `eventID`, however the
 * platform finds out: from the store (the first capture projected already) or from the log (not
 * yet). A long projector linger holds the first capture out of the store, so the embedded
 * platform takes the second way here; through Kafka the linger does not apply and either may.
 * A batch lingers its share of PROJECTOR_LINGER_MS: one event of two, 5 s.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { http, type EpcisJson } from '../support/epcis.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

let platform: TestPlatform;
let key: string;
const PLANT_PGLN = 'urn:epc:id:pgln:6901234.00001';

const commissioning = (lot: string, eventID: string): EpcisJson => ({
  type: 'ObjectEvent',
  eventID,
  eventTime: '2026-11-20T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass: lot, quantity: 100, uom: 'KGM' }],
});

beforeAll(async () => {
  platform = await startTestPlatform({ PROJECTOR_LINGER_MS: '10000', PROJECTOR_BATCH_SIZE: '2' });
  const answer = await platform.request<{ apiKey: string }>('POST', '/v1/parties', {
    key: TEST_ADMIN_KEY,
    body: { partyId: 'plant', name: 'plant', roles: ['submitter'], identifiers: [PLANT_PGLN] },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  key = answer.body.apiKey;
});
afterAll(() => platform?.stop());

it('answers 409 on eventID when the log, not the store, holds the first capture', async () => {
  // The first event after a quiet spell is projected at once; the projector then lingers.
  const opening = commissioning(
    'urn:epc:class:lgtin:6901234.056789.C1',
    'urn:uuid:7b1c2e10-0000-4000-8000-000000000001',
  );
  expect((await http(platform, 'POST', '/epcis/events', { key, body: opening })).status).toBe(201);
  const openingPath = `/epcis/events/${encodeURIComponent(String(opening.eventID))}`;
  await pollUntil(
    async () =>
      (await http(platform, 'GET', openingPath, { key })).status === 200 ? true : undefined,
    { what: `GET ${openingPath}`, timeoutMs: 30_000, intervalMs: 20 },
  );
  const event = commissioning(
    'urn:epc:class:lgtin:6901234.056789.C2',
    'urn:uuid:7b1c2e10-0000-4000-8000-000000000002',
  );
  expect((await http(platform, 'POST', '/epcis/events', { key, body: event })).status).toBe(201);
  const other = {
    ...event,
    quantityList: [{ epcClass: 'urn:epc:class:lgtin:6901234.056789.C3', quantity: 1 }],
  };
  const conflict = await http(platform, 'POST', '/epcis/events', { key, body: other });
  expect(conflict.status).toBe(409);
  expect(conflict.body.message).toMatch(/^eventID: /);
});
