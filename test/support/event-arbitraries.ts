/**
 * fast-check arbitraries for events as a client posts them (DESIGN §3, the flat object), meant to
 * be valid most of the time: every field within its bounds, optional fields sometimes left out or
 * null, text from all of Unicode. Now and then a value sits on or past a boundary of what the log
 * and the store hold — a time anywhere in the years 0000–9999 with any offset and precision, a
 * subnormal, huge or negative-zero number, a lone surrogate, NUL and other odd characters — so
 * that the properties find where the validator's rules must lie, not only that nice values pass.
 */
import fc from 'fast-check';
import { REFERENCE_DOCUMENT_TYPES } from '../../services/common/events/reference-documents.js';
import {
  SUBMITTED_EVENT_SCHEMAS,
  type PostableEventType,
} from '../../services/ingest/event-schemas.js';

const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];
/** Characters a store or a JSON codec might treat specially: NUL, BOM, separators, noncharacters. */
const ODD_CHARACTERS = ['\u0000', '\ufeff', '\u2028', '\u2029', '\ufffe', '\uffff', '\\', '"'];
const CONTROL_CHARS = /\p{Cc}/u;

/** One code point of any plane, and now and then an odd character or half a surrogate pair. */
const unit = fc.oneof(
  { weight: 300, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom(...ODD_CHARACTERS) },
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

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
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
      return `${seconds}${offsetText(offsetMinutes)}`;
    });

const offsetText = (minutes: number): string => {
  if (minutes === 0) return 'Z';
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
};

const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const daysIn = (year: number, month: number) =>
  [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 31;

/**
 * Any RFC 3339 time of the years 0000–9999, as written text: the years where stores and codecs
 * keep their edges (0000, 0001, 1899, 1900, 1970, 2299, 2300, 9999) often, any offset up to
 * ±23:59, and zero to nine fraction digits, sub-millisecond ones included.
 */
export const anyRfc3339: fc.Arbitrary<string> = fc
  .record({
    year: fc.oneof(
      fc.constantFrom(0, 1, 1899, 1900, 1969, 1970, 2299, 2300, 9999),
      fc.integer({ min: 0, max: 9999 }),
    ),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    edge: fc.constantFrom('start', 'end', 'any'),
    clock: fc.tuple(
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
    ),
    fraction: fc.stringMatching(/^\d{0,9}$/),
    offsetMinutes: fc.oneof(
      fc.constant(0),
      fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
    ),
  })
  .map(({ year, month, day, edge, clock, fraction, offsetMinutes }) => {
    // The first or last instant of a year, or any day and hour in it.
    const [m, d, [h, min, s], f] =
      edge === 'start'
        ? [1, 1, [0, 0, 0], fraction.replace(/\d/g, '0')]
        : edge === 'end'
          ? [12, 31, [23, 59, 59], fraction.replace(/\d/g, '9')]
          : [month, Math.min(day, daysIn(year, month)), clock, fraction];
    const date = `${pad(year, 4)}-${pad(m)}-${pad(d)}`;
    const time = `${pad(h)}:${pad(min)}:${pad(s)}${f === '' ? '' : `.${f}`}`;
    return `${date}T${time}${offsetText(offsetMinutes)}`;
  });

/** A time that is mostly an ordinary one up to `to`, and now and then any time at all. */
const time = (to: number) =>
  fc.oneof({ weight: 6, arbitrary: rfc3339(to) }, { weight: 1, arbitrary: anyRfc3339 });

/** Doubles where stores and JSON codecs keep their edges: subnormals, the largest, -0. */
const EDGE_NUMBERS = [
  Number.MIN_VALUE,
  2.2250738585072014e-308, // the smallest normal
  2.225073858507201e-308, // the largest subnormal
  0.1 + 0.2,
  1 / 3,
  2 ** 53 + 2,
  1e15,
  1e15 + 0.125,
  Number.MAX_VALUE,
  -0,
];
const edgeNumber = fc.constantFrom(...EDGE_NUMBERS);

const quantity = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
  { weight: 4, arbitrary: fc.double({ min: Number.MIN_VALUE, max: 1e15, noNaN: true }) },
  { weight: 1, arbitrary: edgeNumber },
);
const amount = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 1e15, noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: edgeNumber },
);
const unitText = text(32);
const line = fc.record({ batchId: identifier, quantity, unit: unitText });
const lines = fc.uniqueArray(line, { minLength: 1, maxLength: 4, selector: (l) => l.batchId });
const batchIds = fc.array(identifier, { minLength: 1, maxLength: 4 });

/**
 * A shipment's or receipt's documents (v3), numbers from all of Unicode: now and then one the
 * validator refuses (a control character, half a surrogate pair) or a number at its longest.
 */
const referenceDocuments = fc.array(
  fc.record({ type: fc.constantFrom(...REFERENCE_DOCUMENT_TYPES), number: text(256) }),
  { maxLength: 4 },
);

const locationFields = {
  gln: optional(fc.stringMatching(/^\d{13}$/)),
  siteId: optional(text(128)),
  name: optional(text(256)),
};
const envelope = {
  eventId: fc.uuid(),
  eventTime: time(Date.now()),
  location: optional(fc.record(locationFields, { requiredKeys: [] })),
  operator: optional(text(128)),
};
const ENVELOPE_REQUIRED = ['eventType', 'eventId', 'eventTime'] as const;

/** The fields of each event type beyond the envelope, and which of them are required. */
const FIELDS: Record<PostableEventType, [Record<string, fc.Arbitrary<unknown>>, string[]]> = {
  BatchProduced: [
    {
      // A production site may name its administrative division (BatchProduced v3).
      location: optional(
        fc.record(
          { ...locationFields, region: optional(fc.stringMatching(/^\d{6}$/)) },
          { requiredKeys: [] },
        ),
      ),
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
  BatchShipped: [
    { shipmentId: identifier, to: identifier, lines, referenceDocuments },
    ['shipmentId', 'to', 'lines'],
  ],
  BatchReceived: [
    { shipmentId: identifier, from: identifier, lines, referenceDocuments },
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
      hazard: optional(text(256)),
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
      // A consumer complaint's record (DefectReported v2), kept only on a COMPLAINT (CONSISTENT).
      complaint: optional(
        fc.record(
          {
            channel: fc.constantFrom(
              'HOTLINE_12315',
              'ONLINE_PLATFORM',
              'RETAILER',
              'DIRECT',
              'OTHER',
            ),
            receivedAt: time(Date.now()),
            region: fc.stringMatching(/^\d{6}$/),
            purchasePlace: optional(text(256)),
            unitsAffected: optional(fc.integer({ min: 1, max: 1_000_000_000 })),
            illnessReported: fc.boolean(),
            reference: optional(identifier),
          },
          { requiredKeys: ['channel', 'receivedAt', 'region', 'illnessReported'] },
        ),
      ),
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
      deadline: time(Date.UTC(2299, 11, 31, 23, 59, 59, 999)),
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

/** What ties one field to another: only a COMPLAINT report carries a complaint. */
const CONSISTENT: Partial<
  Record<PostableEventType, (event: Record<string, unknown>) => Record<string, unknown>>
> = {
  DefectReported: (event) =>
    event.source === 'COMPLAINT'
      ? event
      : Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'complaint')),
};

/** An event of the given type as a client would post it. */
export function submittedEventOf(
  eventType: PostableEventType,
): fc.Arbitrary<Record<string, unknown>> {
  const [fields, required] = FIELDS[eventType];
  const model: Record<string, fc.Arbitrary<unknown>> = {
    eventType: fc.constant(eventType),
    ...envelope,
    ...fields,
  };
  const events = fc.record(model, { requiredKeys: [...ENVELOPE_REQUIRED, ...required] });
  const consistent = CONSISTENT[eventType];
  return consistent ? events.map(consistent) : events;
}

/** An event of any type as a client would post it. */
export const submittedEvent: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  ...(Object.keys(SUBMITTED_EVENT_SCHEMAS) as PostableEventType[]).map(submittedEventOf),
);
