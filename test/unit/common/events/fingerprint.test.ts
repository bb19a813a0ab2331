import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SuyuanEvent } from '../../../../services/common/events/event-types.generated.js';
import { createHash } from 'node:crypto';
import { catalogEntries } from '../../../../services/common/events/catalog.js';
import { canonicalJson, fingerprintEvent } from '../../../../services/common/events/fingerprint.js';
import { submittedEvent } from '../../../support/event-arbitraries.js';
import { sampleEvents } from '../../../support/sample-events.js';

const sample = <T extends SuyuanEvent['eventType']>(type: T) =>
  sampleEvents().find((event) => event.eventType === type) as Extract<
    SuyuanEvent,
    { eventType: T }
  >;

describe('the idempotency fingerprint across schema versions', () => {
  it('is the same for an event posted before a field was added and after, while it is unset', () => {
    const { epcisEventId: _added, ...asFirstPublished } = sample('BatchProduced');
    const now = { ...asFirstPublished, epcisEventId: null };
    expect(fingerprintEvent(now)).toBe(fingerprintEvent(asFirstPublished as typeof now));
    expect(fingerprintEvent({ ...now, epcisEventId: 'urn:uuid:x' })).not.toBe(
      fingerprintEvent(now),
    );
  });

  it('still tells apart nulls of the first version (they were always part of the event)', () => {
    const shipped = sample('BatchShipped');
    expect(fingerprintEvent({ ...shipped, operator: null })).not.toBe(fingerprintEvent(shipped));
  });

  it('takes a captured EPCIS event as the same event when its hash and party are', () => {
    const captured = sample('EpcisEventCaptured');
    const again = {
      ...captured,
      event: '{"reformatted":true}',
      captureId: 'other',
      derivedEventIds: [],
    };
    expect(fingerprintEvent(again)).toBe(fingerprintEvent(captured));
    expect(fingerprintEvent({ ...captured, eventHash: 'ni:///sha-256;ff?ver=CBV2.0' })).not.toBe(
      fingerprintEvent(captured),
    );
    expect(fingerprintEvent({ ...captured, party: 'someone-else' })).not.toBe(
      fingerprintEvent(captured),
    );
  });
});

/** The canonical form as first published: every stored fingerprint was made of it. */
function firstCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(firstCanonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${firstCanonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('the canonical JSON of fingerprints', () => {
  it('never changes: the same text as its first version for any value', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (value) => {
        expect(canonicalJson(value)).toBe(firstCanonicalJson(value));
      }),
      { numRuns: 2000 },
    );
    for (const event of sampleEvents())
      expect(canonicalJson(event)).toBe(firstCanonicalJson(event));
  });
});

/** Per event type, the fields its later schema versions added to its first. */
function fieldsAddedLater(eventType: string): Set<string> {
  const versions = catalogEntries()
    .filter((entry) => entry.eventType === eventType)
    .sort((a, b) => a.version - b.version)
    .map((entry) =>
      (entry.schema as { fields: Array<{ name: string }> }).fields.map((f) => f.name),
    );
  const [first = [], ...later] = versions;
  return new Set(later.flat().filter((name) => !first.includes(name)));
}

/** The fingerprint as first published, written plainly: every stored fingerprint was made so. */
function firstFingerprint(event: object): string {
  const { recordedAt: _recordedAt, ...rest } = event as Record<string, unknown>;
  const added = fieldsAddedLater(String(rest.eventType));
  const identity = Object.fromEntries(
    Object.entries(rest).filter(([key, value]) => value !== null || !added.has(key)),
  );
  return createHash('sha256').update(firstCanonicalJson(identity)).digest('hex');
}

describe('the fingerprint of native events', () => {
  it('never changes: the same digest as its first version, with or without later fields set', () => {
    const laterFieldsNull = (event: Record<string, unknown>) =>
      Object.fromEntries([...fieldsAddedLater(String(event.eventType))].map((key) => [key, null]));
    fc.assert(
      fc.property(
        submittedEvent,
        fc.boolean(),
        fc.option(fc.constant('2026-01-01T00:00:00.000Z'), { nil: undefined }),
        (submitted, withNulls, recordedAt) => {
          const event = {
            ...submitted,
            ...(withNulls && laterFieldsNull(submitted)),
            ...(recordedAt !== undefined && { recordedAt }),
          };
          expect(fingerprintEvent(event as never)).toBe(firstFingerprint(event));
        },
      ),
      { numRuns: 1000 },
    );
    for (const event of sampleEvents().filter((e) => e.eventType !== 'EpcisEventCaptured'))
      expect(fingerprintEvent(event)).toBe(firstFingerprint(event));
  });
});
