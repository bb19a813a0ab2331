import type { EventCodec } from './codec.js';
import type { SuyuanEvent } from './event-types.generated.js';

/**
 * A codec that decodes each message once: the event decoded from a message is kept as long as the
 * message itself and handed to every later caller with the same message. The embedded log hands
 * its consumers the same records (log/recent-records.ts), so the store's projection, the proof
 * keeper, the recall service and the serving feeder share one decode of each event where each
 * decoded its own. Only the embedded platform uses it (runtime/foundations.ts): a Kafka
 * consumer's messages are its own, so there a kept decode would never be asked for again.
 *
 * Shared, an event must not change: it is frozen, to the last nested list, so a consumer that
 * tried to change it would throw at once instead of changing what the others read.
 */
export function decodeOnce(codec: EventCodec): EventCodec {
  const decoded = new WeakMap<Buffer, SuyuanEvent>();
  return {
    encode: (event) => codec.encode(event),
    schemaIdOf: (message) => codec.schemaIdOf(message),
    envelopeOf: (message) => codec.envelopeOf(message),
    decode(message) {
      let event = decoded.get(message);
      if (event === undefined) {
        event = deepFreeze(codec.decode(message));
        decoded.set(message, event);
      }
      return event;
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const member of Object.values(value)) deepFreeze(member);
  return Object.freeze(value);
}
