import { createHash } from 'node:crypto';
import { catalogEntries } from './catalog.js';
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

let laterFields: ReadonlyMap<string, ReadonlySet<string>> | undefined;

/** Per event type, the fields its later schema versions added to its first. */
function fieldsAddedAfterV1(): ReadonlyMap<string, ReadonlySet<string>> {
  if (laterFields) return laterFields;
  const names = (schema: unknown) =>
    ((schema as { fields?: Array<{ name: string }> }).fields ?? []).map((field) => field.name);
  const first = new Map<string, Set<string>>();
  const added = new Map<string, Set<string>>();
  const entries = [...catalogEntries()].sort((a, b) => a.version - b.version);
  for (const entry of entries) {
    const fields = names(entry.schema);
    const original = first.get(entry.eventType);
    if (!original) first.set(entry.eventType, new Set(fields));
    else {
      const later = added.get(entry.eventType) ?? new Set<string>();
      for (const field of fields) if (!original.has(field)) later.add(field);
      added.set(entry.eventType, later);
    }
  }
  laterFields = added;
  return added;
}

/**
 * What makes two submissions of one eventId "the same event": everything but `recordedAt`,
 * which ingest stamps on each attempt. A field a later schema version added counts only when
 * set: an event without it reads back with its default, and must stay the event it was.
 * A captured EPCIS event is the same when its CBV event hash is, as recorded by the same party:
 * the hash ignores how it was written (URN or Digital Link, list order, time zone) and what
 * capture adds (the capture job, the native events).
 */
export function fingerprintEvent(event: Fingerprinted): string {
  const { recordedAt: _recordedAt, ...rest } = event;
  if (rest.eventType === 'EpcisEventCaptured') {
    const { eventType, epcisEventId, eventHash, party } = rest;
    return sha256(canonicalJson({ eventType, epcisEventId, eventHash, party }));
  }
  const added = fieldsAddedAfterV1().get(rest.eventType);
  const identity = Object.fromEntries(
    Object.entries(rest).filter(([key, value]) => value !== null || !added?.has(key)),
  );
  return sha256(canonicalJson(identity));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
