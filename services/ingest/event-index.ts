/**
 * The event index (event id → body hash and party) that settles idempotency. Ingest writes each
 * accepted event's entry right after the append, so a retry is a duplicate even before the
 * projector has written the same row. Lookups and writes of concurrent requests are grouped.
 */
import { queryInChunks } from '../common/store/query-in-chunks.js';
import type { Store } from '../common/store/store.js';
import { groupCommit } from './group-commit.js';

export interface IndexedEvent {
  readonly eventId: string;
  readonly bodyHash: string;
  readonly party: string;
}

export interface EventIndex {
  /** The indexed events among `eventIds`, by id. */
  find(eventIds: readonly string[]): Promise<Map<string, IndexedEvent>>;
  record(events: readonly IndexedEvent[], recordedAt: string): Promise<void>;
}

export function createEventIndex(store: Store): EventIndex {
  // Grouped requests of up to 1000 events each can hold more ids than one statement may carry.
  const find = groupCommit(async (requests: ReadonlyArray<readonly string[]>) => {
    const rows = await queryInChunks<{ event_id: string; body_hash: string; party: string }>(
      store,
      'SELECT event_id, body_hash, party FROM event_index FINAL WHERE event_id IN {ids:Array(String)}',
      'ids',
      requests.flat(),
    );
    const found = new Map(
      rows.map((row) => [
        row.event_id,
        { eventId: row.event_id, bodyHash: row.body_hash, party: row.party },
      ]),
    );
    return requests.map(() => found);
  });
  const record = groupCommit(async (batches: ReadonlyArray<readonly object[]>) => {
    await store.insert('event_index', batches.flat());
    return batches.map(() => undefined);
  });
  return {
    find: (eventIds) => find(eventIds),
    record: (events, recordedAt) =>
      record(
        events.map((event) => ({
          event_id: event.eventId,
          body_hash: event.bodyHash,
          party: event.party,
          recorded_at: recordedAt,
        })),
      ),
  };
}
