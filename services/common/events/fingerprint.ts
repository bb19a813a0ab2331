import { hash } from 'node:crypto';
import { catalogEntries } from './catalog.js';
import type { SuyuanEvent } from './event-types.generated.js';

/**
 * JSON with object keys sorted at every level (code-unit order), `undefined` members left out, so
 * equal events always serialise alike. The fingerprints in every log are made of it: its output
 * must never change (test/unit/common/events/fingerprint.test.ts holds it to the first version).
 * Written as loops rather than entries/sort/map/join, which cost ingest twice the time per event.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out += ',';
      // JSON.stringify gives undefined for undefined and functions: an empty slot, as join did.
      out += (canonicalJson(value[i]) as string | undefined) ?? '';
    }
    return `${out}]`;
  }
  return canonicalMembers(value as Record<string, unknown>, undefined);
}

/** An object's members in canonical order, leaving out those `skip` names. */
function canonicalMembers(
  record: Record<string, unknown>,
  skip: ((key: string, value: unknown) => boolean) | undefined,
): string {
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined || skip?.(key, item)) continue;
    if (out.length > 1) out += ',';
    out += `${quotedKey(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/** Member names repeat from event to event: each is quoted once (up to a bound). */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_KEPT = 10_000;
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_KEPT) quotedKeys.set(key, quoted);
  }
  return quoted;
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
  if (event.eventType === 'EpcisEventCaptured') {
    const { eventType, epcisEventId, eventHash, party } = event;
    return sha256(canonicalJson({ eventType, epcisEventId, eventHash, party }));
  }
  const added = fieldsAddedAfterV1().get(event.eventType);
  // The canonical JSON of the event without `recordedAt` and the unset later fields, made in one
  // pass: ingest and the projector fingerprint every event.
  return sha256(
    canonicalMembers(
      event,
      (key, value) => key === 'recordedAt' || (value === null && added?.has(key) === true),
    ),
  );
}

/** One-shot: half the time of a Hash object per event, the same digest. */
const sha256 = (text: string) => hash('sha256', text, 'hex');
