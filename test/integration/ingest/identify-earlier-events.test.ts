/**
 * Events appended before the embedded log settled identity (an older version, or a tool writing
 * straight to the log) are indexed at start, so resubmitting one of them is a duplicate (or a
 * conflict, for another body), never a second acceptance.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEventCodec } from '../../../services/common/events/codec.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { fingerprintEvent } from '../../../services/common/events/fingerprint.js';
import { logKeyOf } from '../../../services/common/events/keys.js';
import { logRecordOf } from '../../../services/common/events/log-record.js';
import type { EventLog } from '../../../services/common/log/event-log.js';
import { createSqliteEventLog } from '../../../services/common/log/sqlite-event-log.js';
import { EVENTS_TOPIC } from '../../../services/common/topics.js';
import { identifyEarlierEvents } from '../../../services/ingest/identify-earlier-events.js';

const codec = createEventCodec();
let dir: string;
let log: EventLog;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-identify-'));
  log = createSqliteEventLog({ path: join(dir, 'log.db') });
});
afterAll(async () => {
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

const produced = (n: number, quantity = 10): SuyuanEvent => ({
  eventType: 'BatchProduced',
  eventId: `00000000-0000-4000-8000-00000000000${n}`,
  eventTime: '2026-11-20T08:00:00.000Z',
  recordedAt: '2026-11-20T08:00:01.000Z',
  party: 'farm-1',
  location: null,
  operator: null,
  batchId: `B-${n}`,
  product: { id: 'P', name: 'milk' },
  quantity,
  unit: 'kg',
  inputs: [],
  epcisEventId: null,
});

it('indexes earlier events with their fingerprints, and marks undecodable bytes as seen', async () => {
  const old = [produced(1), produced(2)];
  await log.append(EVENTS_TOPIC, [
    ...old.map((event) => ({ key: logKeyOf(event), value: codec.encode(event) })),
    { key: 'poison', value: Buffer.from('not avro') },
  ]);
  const identities = log.identities;
  if (!identities) throw new Error('the embedded log offers identities');
  expect(await identifyEarlierEvents(log, codec, pino({ level: 'silent' }))).toBe(3);
  expect(await identities.unidentified(EVENTS_TOPIC, -1, 10)).toEqual([]);

  const resent = await identities.appendNew(EVENTS_TOPIC, [logRecordOf(produced(1), codec)]);
  expect(resent).toEqual({ appended: [{ status: 'duplicate' }] });
  const changed = produced(2, 99);
  expect(
    await identities.appendNew(EVENTS_TOPIC, [
      logRecordOf(changed, codec, fingerprintEvent(changed)),
    ]),
  ).toEqual({ clashes: [0] });
  // A second start finds nothing left to index.
  expect(await identifyEarlierEvents(log, codec, pino({ level: 'silent' }))).toBe(0);
});

it('reads at a later start only what was appended since the last', async () => {
  const identities = log.identities;
  if (!identities) throw new Error('the embedded log offers identities');
  await identifyEarlierEvents(log, codec, pino({ level: 'silent' }));
  const [end] = (await log.endOffsets(EVENTS_TOPIC)).values();
  expect(await identities.identifiedThrough(EVENTS_TOPIC)).toBe((end ?? 0) - 1);

  const later = produced(7);
  await log.append(EVENTS_TOPIC, [{ key: logKeyOf(later), value: codec.encode(later) }]);
  const scannedAfter: number[] = [];
  const watched: EventLog = {
    ...log,
    identities: {
      ...identities,
      unidentified: (topic, afterOffset, maxRecords) => {
        scannedAfter.push(afterOffset);
        return identities.unidentified(topic, afterOffset, maxRecords);
      },
    },
  };
  expect(await identifyEarlierEvents(watched, codec, pino({ level: 'silent' }))).toBe(1);
  expect(scannedAfter[0]).toBe((end ?? 0) - 1);
  expect(await identities.appendNew(EVENTS_TOPIC, [logRecordOf(later, codec)])).toEqual({
    appended: [{ status: 'duplicate' }],
  });
});
