import { createHash } from 'node:crypto';
import type { SuyuanEvent } from './event-types.generated.js';

/** JSON with object keys sorted at every level, so equal events always serialise alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

type Fingerprinted = SuyuanEvent extends infer E
  ? E extends SuyuanEvent
    ? Omit<E, 'recordedAt'> & { readonly recordedAt?: string }
    : never
  : never;

/**
 * What makes two submissions of one eventId "the same event": everything but `recordedAt`,
 * which ingest stamps on each attempt. A captured EPCIS event is the same when its CBV event
 * hash is, as recorded by the same party: the hash ignores how it was written (URN or Digital
 * Link, list order, time zone) and what capture adds (the capture job, the native events).
 */
export function fingerprintEvent(event: Fingerprinted): string {
  const { recordedAt: _recordedAt, ...rest } = event;
  const identity =
    rest.eventType === 'EpcisEventCaptured'
      ? {
          eventType: rest.eventType,
          epcisEventId: rest.epcisEventId,
          eventHash: rest.eventHash,
          party: rest.party,
        }
      : rest;
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}
