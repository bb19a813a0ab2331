/**
 * fast-check arbitraries for events as a client posts them (DESIGN §3, the flat object), meant to
 * be valid: every field within its bounds, optional fields sometimes left out or null, text from
 * all of Unicode. Text sometimes carries a lone surrogate, which JSON can carry ("\ud800") but
 * UTF-8 cannot; what the validator makes of such input is for the properties to find out.
 */
import fc from 'fast-check';
import { EVENT_TYPES } from '../../services/common/events/event-types.generated.js';

const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];
const CONTROL_CHARS = /\p{Cc}/u;

/** One code point of any plane, and now and then half of a surrogate pair. */
const unit = fc.oneof(
  { weight: 300, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
);

/** 1..max UTF-16 units: short text mostly, the longest allowed now and then. */
const text = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.string({ unit, minLength: 1, maxLength: Math.min(max / 2, 12) }) },
    { weight: 1, arbitrary: fc.constant('長'.repeat(max)) },
  );
const identifier = text(128).filter((value) => !CONTROL_CHARS.test(value));
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

const pad = (n: number) => String(n).padStart(2, '0');
const MIN_TIME = Date.UTC(1900, 0, 1);

/** An RFC 3339 time in [from, to], written with a random UTC offset and precision. */
export const rfc3339 = (to: number, from = MIN_TIME): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: from, max: to }),
      fc.integer({ min: -14 * 4, max: 14 * 4 }).map((quarters) => quarters * 15),
      fc.constantFrom(0, 3, 6),
    )
    .map(([millis, offsetMinutes, digits]) => {
      const local = new Date(millis + offsetMinutes * 60_000).toISOString();
      const seconds =
        digits === 0 ? local.slice(0, 19) : `${local.slice(0, 23)}${'0'.repeat(digits - 3)}`;
      if (offsetMinutes === 0) return `${seconds}Z`;
      const abs = Math.abs(offsetMinutes);
      return `${seconds}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    });

const quantity = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.double({ min: Number.MIN_VALUE, max: 1e15, noNaN: true }),
);
const amount = fc.double({ min: 0, max: 1e15, noNaN: true, noDefaultInfinity: true });
const unitText = text(32);
const line = fc.record({ batchId: identifier, quantity, unit: unitText });
const lines = fc.uniqueArray(line, { minLength: 1, maxLength: 4, selector: (l) => l.batchId });
const batchIds = fc.array(identifier, { minLength: 1, maxLength: 4 });

const envelope = {
  eventId: fc.uuid(),
  eventTime: rfc3339(Date.now()),
  location: optional(
    fc.record(
      {
        gln: optional(fc.stringMatching(/^\d{13}$/)),
        siteId: optional(text(128)),
        name: optional(text(256)),
      },
      { requiredKeys: [] },
    ),
  ),
  operator: optional(text(128)),
};
const ENVELOPE_REQUIRED = ['eventType', 'eventId', 'eventTime'] as const;

/** The fields of each event type beyond the envelope, and which of them are required. */
const FIELDS: Record<
  (typeof EVENT_TYPES)[number],
  [Record<string, fc.Arbitrary<unknown>>, string[]]
> = {
  BatchProduced: [
    {
      batchId: identifier,
      product: fc.record({ id: identifier, name: text(256) }),
      quantity,
      unit: unitText,
      inputs: fc.uniqueArray(
        fc.record(
          { batchId: identifier, quantity, unit: optional(unitText) },
          { requiredKeys: ['batchId', 'quantity'] },
        ),
        { maxLength: 4, selector: (input) => input.batchId },
      ),
    },
    ['batchId', 'product', 'quantity', 'unit'],
  ],
  BatchShipped: [{ shipmentId: identifier, to: identifier, lines }, ['shipmentId', 'to', 'lines']],
  BatchReceived: [
    { shipmentId: identifier, from: identifier, lines },
    ['shipmentId', 'from', 'lines'],
  ],
  InspectionRecorded: [
    {
      inspectionId: optional(identifier),
      batchId: identifier,
      kind: fc.constantFrom('SELF_CHECK', 'SUPERVISORY_SAMPLING', 'THIRD_PARTY', 'IMPORT'),
      result: fc.constantFrom('PASS', 'FAIL'),
      findings: fc.array(
        fc.record(
          {
            item: text(256),
            value: fc.oneof(text(256), fc.double({ noNaN: true, noDefaultInfinity: true })),
            limit: optional(text(256)),
            unit: optional(unitText),
          },
          { requiredKeys: ['item', 'value'] },
        ),
        { maxLength: 3 },
      ),
      standard: optional(text(256)),
      report: optional(text(1024)),
    },
    ['batchId', 'kind', 'result'],
  ],
  DefectReported: [
    {
      defectId: identifier,
      batchIds,
      source: fc.constantFrom('INSPECTION', 'COMPLAINT', 'INCIDENT'),
      severity: fc.constantFrom('CRITICAL', 'MAJOR', 'MINOR'),
      hazard: text(2000),
      description: optional(text(8000)),
    },
    ['defectId', 'batchIds', 'source', 'severity', 'hazard'],
  ],
  RecallInitiated: [
    {
      recallId: identifier,
      rootBatchIds: batchIds,
      level: fc.constantFrom(1, 2, 3),
      mode: fc.constantFrom('VOLUNTARY', 'ORDERED'),
      reason: text(2000),
    },
    ['recallId', 'rootBatchIds', 'level', 'mode', 'reason'],
  ],
  RecallNoticeIssued: [
    {
      noticeId: identifier,
      recallId: identifier,
      recipient: identifier,
      batches: lines,
      deadline: rfc3339(Date.UTC(2200, 0, 1)),
      actions: fc.array(text(256), { maxLength: 3 }),
    },
    ['noticeId', 'recallId', 'recipient', 'batches', 'deadline'],
  ],
  RecallAcknowledged: [{ noticeId: identifier, note: optional(text(2000)) }, ['noticeId']],
  RecallProgressReported: [
    {
      noticeId: identifier,
      recovered: amount,
      destroyed: amount,
      unit: unitText,
      note: optional(text(2000)),
    },
    ['noticeId', 'recovered', 'destroyed', 'unit'],
  ],
  RecallClosed: [{ recallId: identifier, reason: text(2000) }, ['recallId', 'reason']],
  EventRetracted: [{ targetEventId: fc.uuid(), reason: text(2000) }, ['targetEventId', 'reason']],
};

/** An event of the given type as a client would post it. */
export function submittedEventOf(
  eventType: (typeof EVENT_TYPES)[number],
): fc.Arbitrary<Record<string, unknown>> {
  const [fields, required] = FIELDS[eventType];
  const model: Record<string, fc.Arbitrary<unknown>> = {
    eventType: fc.constant(eventType),
    ...envelope,
    ...fields,
  };
  return fc.record(model, { requiredKeys: [...ENVELOPE_REQUIRED, ...required] });
}

/** An event of any type as a client would post it. */
export const submittedEvent: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  ...EVENT_TYPES.map(submittedEventOf),
);
