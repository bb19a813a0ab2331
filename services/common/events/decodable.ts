/**
 * The events of log records, leaving out the records no schema here decodes: a reader of the log
 * that is not the projector (the serving feeder, a replica) skips them, and the projector sets
 * them aside with the reason.
 */
import type { StoredRecord } from '../log/event-log.js';
import type { EventCodec } from './codec.js';
import type { SuyuanEvent } from './event-types.generated.js';

export interface DecodedRecord {
  readonly record: StoredRecord;
  readonly event: SuyuanEvent;
}

/** Each decodable record with its event, in order. */
export function decodedRecords(
  codec: EventCodec,
  records: readonly StoredRecord[],
): DecodedRecord[] {
  return records.flatMap((record): DecodedRecord[] => {
    try {
      return [{ record, event: codec.decode(record.value) }];
    } catch {
      return [];
    }
  });
}

/** The events of the records, leaving out those no schema here decodes. */
export const decodable = (codec: EventCodec, records: readonly StoredRecord[]): SuyuanEvent[] =>
  decodedRecords(codec, records).map(({ event }) => event);
