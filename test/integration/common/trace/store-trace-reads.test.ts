import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartyDirectory } from '../../../../services/common/access/party-directory.js';
import { createLogger } from '../../../../services/common/logger.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import type { Store } from '../../../../services/common/store/store.js';
import { loadBatch, loadTrace } from '../../../../services/trace-api/routes.js';
import { ID_CHUNK } from '../../../../services/common/store/query-in-chunks.js';
import { createStoreTraceReads } from '../../../../services/common/trace/store-trace-reads.js';
import type { TraceReads } from '../../../../services/common/trace/trace-reads.js';

const T = (day: number, hour = 8) =>
  `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

const produced = (batchId: string, producer: string, day: number, eventId = `ev-p-${batchId}`) => ({
  batch_id: batchId,
  event_id: eventId,
  product_id: `gtin-${batchId}`,
  product_name: `product ${batchId}`,
  producer,
  operator: 'Wang Fang',
  quantity: 100,
  unit: 'kg',
  produced_at: T(day),
  recorded_at: T(day, 9),
});

const derived = (
  input: string,
  output: string,
  party: string,
  day: number,
  eventId = `ev-p-${output}`,
) => ({
  input_batch_id: input,
  output_batch_id: output,
  event_id: eventId,
  party,
  operator: 'Wang Fang',
  quantity: 50,
  unit: 'kg',
  at: T(day),
});

const shipped = (shipmentId: string, batchId: string, from: string, to: string, day: number) => ({
  batch_id: batchId,
  shipment_id: shipmentId,
  event_id: `ev-s-${shipmentId}`,
  from_party: from,
  to_party: to,
  operator: 'Li Lei',
  quantity: 40,
  unit: 'kg',
  shipped_at: T(day),
});

const event = (eventId: string, eventType: string, party: string, day: number, fields: object) => ({
  event_id: eventId,
  event_type: eventType,
  event_time: T(day),
  recorded_at: T(day, 9),
  party,
  operator: 'Li Lei',
  location_gln: eventType === 'BatchShipped' ? '6901234000017' : null,
  location_site_id: null,
  location_name: null,
  payload: JSON.stringify({
    eventId,
    eventType,
    eventTime: T(day),
    recordedAt: T(day, 9),
    party,
    ...fields,
  }),
});

const named = (
  batchId: string,
  eventId: string,
  eventType: string,
  party: string,
  day: number,
) => ({
  batch_id: batchId,
  event_time: T(day),
  event_id: eventId,
  event_type: eventType,
  party,
});

/**
 * FARM-1 -> MILK-1 -> POWDER-1 (also made from GHOST-1, never produced); MILK-1 -> POWDER-2 was
 * retracted; a later, second BatchProduced of POWDER-1 by "rogue" names EVIL-1 as an input.
 */
async function givenProjection(store: Store): Promise<void> {
  await store.insert('batches', [
    produced('FARM-1', 'farm', 1),
    produced('MILK-1', 'collector', 2),
    produced('POWDER-1', 'dairy', 3),
    produced('POWDER-1', 'rogue', 3, 'ev-rogue'),
    produced('POWDER-2', 'dairy', 3),
  ]);
  const derivation = derived('MILK-1', 'POWDER-1', 'dairy', 3);
  await store.insert('derivations_by_input', [
    derived('FARM-1', 'MILK-1', 'collector', 2),
    derivation,
    derived('GHOST-1', 'POWDER-1', 'dairy', 3),
    derived('MILK-1', 'POWDER-2', 'dairy', 3),
    derived('EVIL-1', 'POWDER-1', 'rogue', 3, 'ev-rogue'),
  ]);
  // A replay writes the same row again.
  await store.insert('derivations_by_input', [derivation]);
  await store.insert('shipments', [
    shipped('S-1', 'POWDER-1', 'dairy', 'shop', 4),
    shipped('S-2', 'POWDER-1', 'dairy', 'elsewhere', 4),
  ]);
  await store.insert('receipts', [
    {
      batch_id: 'POWDER-1',
      shipment_id: 'S-1',
      event_id: 'ev-r-S-1',
      receiver: 'shop',
      from_party: 'dairy',
      operator: 'Zhao Min',
      quantity: 40,
      unit: 'kg',
      received_at: T(5),
    },
  ]);
  await store.insert('inspections', [
    {
      batch_id: 'POWDER-1',
      inspection_id: 'I-1',
      event_id: 'ev-i-1',
      inspector: 'lab',
      operator: null,
      kind: 'SUPERVISORY_SAMPLING',
      result: 'FAIL',
      standard: 'GB 19644-2024',
      report: null,
      findings: '[]',
      at: T(6),
    },
  ]);
  await store.insert('recalls', [
    {
      recall_id: 'R-1',
      event_id: 'ev-recall',
      initiated_by: 'regulator',
      level: 2,
      mode: 'ORDERED',
      reason: 'failed sampling',
      root_batch_ids: ['POWDER-1'],
      started_at: T(7),
      recorded_at: T(7),
    },
  ]);
  await store.insert('recall_batches', [
    { batch_id: 'POWDER-1', recall_id: 'R-1', event_id: 'ev-recall', at: T(7) },
  ]);
  await store.insert('retractions', [
    {
      target_event_id: 'ev-p-POWDER-2',
      event_id: 'ev-x-1',
      party: 'dairy',
      reason: 'typo',
      at: T(8),
    },
    { target_event_id: 'ev-s-S-2', event_id: 'ev-x-2', party: 'dairy', reason: 'wrong', at: T(8) },
    { target_event_id: 'ev-s-S-2', event_id: 'ev-x-2', party: 'dairy', reason: 'wrong', at: T(8) },
  ]);
  await store.insert('events', [
    event('ev-p-POWDER-1', 'BatchProduced', 'dairy', 3, { batchId: 'POWDER-1', inputs: [] }),
    event('ev-s-S-2', 'BatchShipped', 'dairy', 4, { shipmentId: 'S-2', to: 'elsewhere' }),
    event('ev-s-S-1', 'BatchShipped', 'dairy', 4, { shipmentId: 'S-1', to: 'shop' }),
  ]);
  await store.insert('batch_events', [
    named('POWDER-1', 'ev-s-S-1', 'BatchShipped', 'dairy', 4),
    named('POWDER-1', 'ev-p-POWDER-1', 'BatchProduced', 'dairy', 3),
    named('POWDER-1', 'ev-s-S-2', 'BatchShipped', 'dairy', 4),
    named('POWDER-1', 'ev-i-1', 'InspectionRecorded', 'lab', 6),
  ]);
}

describe('the trace reads over the store (chDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-trace-queries-'));
  const store = createChdbStore({ path: dir });
  const reads: TraceReads = createStoreTraceReads(store);

  beforeAll(async () => {
    await migrate(store, createLogger({ level: 'silent', pretty: false }));
    await givenProjection(store);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows derivations downstream, once per replayed row, without retracted edges', async () => {
    const rows = await reads.derivations('downstream', ['MILK-1']);

    expect(rows).toEqual([
      {
        input: 'MILK-1',
        output: 'POWDER-1',
        eventId: 'ev-p-POWDER-1',
        party: 'dairy',
        operator: 'Wang Fang',
        quantity: 50,
        unit: 'kg',
        at: T(3),
      },
    ]);
  });

  it('follows derivations upstream from the earliest-recorded production only', async () => {
    const rows = await reads.derivations('upstream', ['POWDER-1', 'MILK-1']);

    expect(rows.map((row) => [row.input, row.output])).toEqual([
      ['FARM-1', 'MILK-1'],
      ['GHOST-1', 'POWDER-1'],
      ['MILK-1', 'POWDER-1'],
    ]);
    expect(await reads.derivations('downstream', ['EVIL-1'])).toEqual([]);
  });

  it('returns one batch row per produced batch, saying whether it had inputs', async () => {
    const rows = await reads.batches(['FARM-1', 'POWDER-1', 'POWDER-2', 'GHOST-1']);

    expect(rows.map((row) => [row.batchId, row.producer, row.hasInputs, row.producedAt])).toEqual([
      ['FARM-1', 'farm', false, T(1)],
      ['POWDER-1', 'dairy', true, T(3)],
    ]);
  });

  it('returns shipments, receipts, inspections and recalls of the batches, none retracted', async () => {
    const ids = ['POWDER-1', 'MILK-1'];

    expect((await reads.shipments(ids)).map((row) => [row.shipmentId, row.from, row.to])).toEqual([
      ['S-1', 'dairy', 'shop'],
    ]);
    expect(await reads.receipts(ids)).toEqual([
      expect.objectContaining({
        shipmentId: 'S-1',
        receiver: 'shop',
        from: 'dairy',
        receivedAt: T(5),
      }),
    ]);
    expect(await reads.inspections(ids)).toEqual([
      expect.objectContaining({
        inspectionId: 'I-1',
        inspector: 'lab',
        result: 'FAIL',
        findings: '[]',
      }),
    ]);
    expect(await reads.recalledBatchIds(ids)).toEqual(new Set(['POWDER-1']));
  });

  it('reads a list longer than one statement may carry in parts, with the same answer', async () => {
    const real = ['POWDER-1', 'MILK-1', 'FARM-1', 'POWDER-2', 'GHOST-1', 'EVIL-1'];
    // POWDER-1 in the first part, the others after ID_CHUNK made-up ids, in the second.
    const padding = Array.from({ length: ID_CHUNK }, (_, i) => `pad-${i}`);
    const long = [real[0]!, ...padding, ...real.slice(1)];
    for (const direction of ['upstream', 'downstream'] as const) {
      expect(await reads.derivations(direction, long)).toEqual(
        await reads.derivations(direction, real),
      );
    }
    expect((await reads.derivations('upstream', long)).map((row) => row.input)).toEqual([
      'FARM-1',
      'GHOST-1',
      'MILK-1',
    ]);
    expect((await reads.batches(long)).map((row) => row.batchId)).toEqual([
      'FARM-1',
      'MILK-1',
      'POWDER-1',
    ]);
    for (const read of ['shipments', 'receipts', 'inspections', 'recalls'] as const) {
      const answer = await reads[read](long);
      expect(answer.length).toBeGreaterThan(0);
      expect(answer).toEqual(await reads[read](real));
    }
    expect(await reads.recalledBatchIds(long)).toEqual(new Set(['POWDER-1']));

    // One EPCIS event stands for an id of each part: its links are listed once.
    await store.insert('epcis_events', [
      { epcis_event_id: 'E-1', event_id: 'ev-a', declared: 0, derived_event_ids: ['ev-a', 'ev-b'] },
      { epcis_event_id: 'E-2', event_id: 'ev-c', declared: 0, derived_event_ids: ['ev-c'] },
    ]);
    await store.insert('epcis_unresolved', [
      {
        epcis_event_id: 'E-1',
        path: 'epcList',
        id: 'urn:x:1',
        reason: 'unknown',
        event_id: 'ev-a',
      },
      {
        epcis_event_id: 'E-1',
        path: 'epcList',
        id: 'urn:x:2',
        reason: 'unknown',
        event_id: 'ev-a',
      },
      {
        epcis_event_id: 'E-2',
        path: 'quantityList',
        id: 'urn:x:3',
        reason: 'class',
        event_id: 'ev-c',
      },
    ]);
    const links = await reads.unresolvedLinks(['ev-c', ...padding, 'ev-b', 'ev-a']);
    expect(links.map((link) => [link.epcisEventId, link.id])).toEqual([
      ['E-1', 'urn:x:1'],
      ['E-1', 'urn:x:2'],
      ['E-2', 'urn:x:3'],
    ]);
    expect(links).toEqual(await reads.unresolvedLinks(['ev-a', 'ev-b', 'ev-c']));
  });

  it('keeps retracted events in the timeline, marked, in event-time order', async () => {
    const timeline = await reads.timeline('POWDER-1');

    expect(timeline.map((row) => [row.eventId, row.retracted])).toEqual([
      ['ev-p-POWDER-1', false],
      ['ev-s-S-1', false],
      ['ev-s-S-2', true],
      ['ev-i-1', false],
    ]);
    // The inspection's events row is missing: the batch_events row still shows it.
    expect(timeline[3]).toMatchObject({
      eventType: 'InspectionRecorded',
      payload: null,
      recordedAt: null,
    });
    expect(await reads.batchIsKnown('POWDER-1')).toBe(true);
    expect(await reads.batchIsKnown('NOPE')).toBe(false);
  });

  it('composes into a trace and a batch view', async () => {
    const parties = createPartyDirectory(store);
    await parties.create({ partyId: 'dairy', name: 'Bright Dairy', roles: ['submitter'] });

    const trace = await loadTrace({ reads, parties }, 'MILK-1', {
      direction: 'both',
      maxDepth: 8,
      maxNodes: 100,
    });
    const batch = await loadBatch(reads, 'POWDER-1');

    expect(trace.batches.map((row) => [row.batchId, row.depth])).toEqual([
      ['FARM-1', -1],
      ['MILK-1', 0],
      ['POWDER-1', 1],
    ]);
    expect(trace.truncated).toBe(false);
    expect(trace.parties).toContainEqual({
      partyId: 'dairy',
      name: 'Bright Dairy',
      involvement: ['processor', 'shipper'],
    });
    expect(batch).toMatchObject({
      producer: 'dairy',
      flags: { recalled: true, failedInspection: true },
    });
    expect(batch.timeline[1]).toMatchObject({
      eventType: 'BatchShipped',
      location: { gln: '6901234000017', siteId: null, name: null },
      data: { shipmentId: 'S-1', to: 'shop' },
    });
  });
});
