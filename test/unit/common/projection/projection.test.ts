import { describe, expect, it } from 'vitest';
import { fingerprintEvent } from '../../../../services/common/events/fingerprint.js';
import { FOR_SERVING, projectEvents } from '../../../../services/common/projection/projection.js';
import { sampleEvents } from '../../../support/sample-events.js';

const byType = (type: string) => sampleEvents().filter((event) => event.eventType === type);

describe('projection of events to trace rows', () => {
  it('writes one events row and one idempotency row for every event', () => {
    const rows = projectEvents(sampleEvents());
    expect(rows.events).toHaveLength(sampleEvents().length);
    expect(rows.event_index.map((row) => row.body_hash)).toEqual(
      sampleEvents().map(fingerprintEvent),
    );
  });

  it('turns a transformation into the batch and one derivation edge per input', () => {
    const rows = projectEvents(byType('BatchProduced'));
    expect(rows.batches).toEqual([
      expect.objectContaining({ batch_id: 'B-1', producer: 'plant-1', quantity: 1200 }),
    ]);
    expect(
      rows.derivations_by_input.map((row) => [row.input_batch_id, row.output_batch_id]),
    ).toEqual([
      ['RAW-1', 'B-1'],
      ['RAW-2', 'B-1'],
    ]);
    expect(rows.batch_events.map((row) => row.batch_id)).toEqual(['B-1', 'RAW-1', 'RAW-2']);
  });

  it('records shipments from the acting party and receipts by the acting party', () => {
    const rows = projectEvents([...byType('BatchShipped'), ...byType('BatchReceived')]);
    expect(rows.shipments).toEqual([
      expect.objectContaining({ from_party: 'plant-1', to_party: 'dist-1', batch_id: 'B-1' }),
    ]);
    expect(rows.receipts).toEqual([
      expect.objectContaining({ receiver: 'dist-1', from_party: 'plant-1', shipment_id: 'S-1' }),
    ]);
  });

  it('marks recalled batches from recall roots and notices, and records retractions', () => {
    const rows = projectEvents([
      ...byType('RecallInitiated'),
      ...byType('RecallNoticeIssued'),
      ...byType('EventRetracted'),
    ]);
    expect(rows.recall_batches.map((row) => row.recall_id)).toEqual(['R-1', 'R-1']);
    expect(rows.retractions).toEqual([
      expect.objectContaining({ target_event_id: '00000000-0000-4000-8000-000000000002' }),
    ]);
  });

  it('gives a replayed event exactly the same rows (so the tables collapse them)', () => {
    expect(projectEvents(sampleEvents())).toEqual(projectEvents(sampleEvents()));
  });

  it('leaves the idempotency rows, and only those, out of the rows for the serving index', () => {
    const all = projectEvents(sampleEvents());
    const forServing = projectEvents(sampleEvents(), FOR_SERVING);
    expect(forServing.event_index).toEqual([]);
    expect({ ...forServing, event_index: all.event_index }).toEqual(all);
  });
});
