/**
 * Lists of more than ID_CHUNK ids for the store reads that take them (query-in-chunks.ts): made-up
 * ids that match nothing, with the ids that match rows in both parts of the read.
 */
import { createLogger } from '../../services/common/logger.js';
import { migrate } from '../../services/common/store/migrations.js';
import { ID_CHUNK } from '../../services/common/store/query-in-chunks.js';
import type { Store } from '../../services/common/store/store.js';

export const T = (day: number) => `2026-11-${String(day).padStart(2, '0')}T08:00:00.000Z`;

export const padding = Array.from({ length: ID_CHUNK }, (_, i) => `pad-${i}`);

/** `first` in the first part of ID_CHUNK ids, `rest` in the second. */
export const long = (first: string, ...rest: string[]) => [first, ...padding, ...rest];

/** A `batches` row of a BatchProduced. */
export const produced = (batchId: string, eventId: string, producer: string) => ({
  batch_id: batchId,
  event_id: eventId,
  product_id: `gtin-${batchId}`,
  product_name: `product ${batchId}`,
  producer,
  quantity: 10,
  unit: 'kg',
  produced_at: T(1),
  recorded_at: T(1),
});

/** The `events` row of the same BatchProduced. */
export const producedEvent = (batchId: string, eventId: string, producer: string) => ({
  event_id: eventId,
  event_type: 'BatchProduced',
  event_time: T(1),
  recorded_at: T(1),
  party: producer,
  payload: JSON.stringify({
    eventId,
    eventType: 'BatchProduced',
    eventTime: T(1),
    party: producer,
    batchId,
    product: { id: `gtin-${batchId}`, name: `product ${batchId}` },
    quantity: 10,
    unit: 'kg',
    inputs: [],
  }),
});

/** Migrates the store and gives it two produced batches: OUT-1 by farm, OUT-2 by dairy. */
export async function givenProductions(store: Store): Promise<void> {
  await migrate(store, createLogger({ level: 'silent', pretty: false }));
  await store.insert('batches', [
    produced('OUT-1', 'ev-o1', 'farm'),
    produced('OUT-2', 'ev-o2', 'dairy'),
  ]);
  await store.insert('events', [
    producedEvent('OUT-1', 'ev-o1', 'farm'),
    producedEvent('OUT-2', 'ev-o2', 'dairy'),
  ]);
}
