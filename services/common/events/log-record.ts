import type { LogRecord, RecordIdentity } from '../log/event-log.js';
import type { EventCodec } from './codec.js';
import type { SuyuanEvent } from './event-types.generated.js';
import { fingerprintEvent } from './fingerprint.js';
import { logKeyOf } from './keys.js';

/**
 * An event as a log record: keyed by its primary batch, Avro in the Confluent wire format, and
 * carrying its identity (the event id and the fingerprint of its body), which a log that settles
 * identity (the embedded one) indexes in the same write. Every writer of events uses it, so no
 * event reaches the log that a later submission of its id could be mistaken against.
 */
export function logRecordOf(
  event: SuyuanEvent,
  codec: EventCodec,
  fingerprint?: string,
): LogRecord & { readonly identity: RecordIdentity } {
  return {
    key: logKeyOf(event),
    value: codec.encode(event),
    identity: { id: event.eventId, fingerprint: fingerprint ?? fingerprintEvent(event) },
  };
}
