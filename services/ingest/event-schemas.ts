/**
 * What a client may post for each event type: the schema's fields without `party` and
 * `recordedAt` (ingest sets those). Optional fields become the schema's nulls. Each validator is
 * checked against the generated Avro types (`Checked`), so a schema change that is not reflected
 * here fails to compile.
 */
import { z } from 'zod';
import type * as Events from '../common/events/event-types.generated.js';
import {
  MAX_REFERENCE_DOCUMENTS,
  MAX_REFERENCE_NUMBER,
  REFERENCE_DOCUMENT_TYPES,
} from '../common/events/reference-documents.js';
import { isStorableTime, STORABLE_TIMES_TEXT } from '../common/store/storable.js';

const MAX_TIME_SKEW_MS = 24 * 60 * 60 * 1000;
/**
 * No control character (Unicode's Cc: U+0000-U+001F, U+007F-U+009F). A pattern rather than a
 * refinement, so that the OpenAPI document states it too.
 */
// eslint-disable-next-line no-control-regex -- naming the control characters is the point
const NO_CONTROL_CHARS = /^[^\x00-\x1f\x7f-\x9f]*$/;
/** Half a surrogate pair: JSON can carry one ("\ud800"), UTF-8 and so the Avro log cannot. */
const LONE_SURROGATE = /\p{Cs}/u;

const text = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !LONE_SURROGATE.test(value), 'must be valid Unicode (a lone surrogate)');
const identifier = text(128).regex(NO_CONTROL_CHARS, 'must not contain control characters');
const optionalText = (max: number) =>
  text(max)
    .nullish()
    .transform((value) => value ?? null);
const quantity = z
  .number({ error: 'must be a number' })
  .positive('must be greater than 0')
  .max(1e15, 'must be at most 1e15');
/** 0 or more; -0 is kept as 0, the one zero JSON (and so the store's rows) can write. */
const amount = z
  .number({ error: 'must be a number' })
  .min(0, 'must be 0 or more')
  .max(1e15, 'must be at most 1e15')
  .transform((value) => value + 0);
/**
 * An RFC 3339 time with any offset, kept as UTC to the millisecond (finer digits are dropped), and
 * only within the range the store holds exactly (common/store/storable.ts).
 */
const time = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 time, e.g. 2026-11-20T08:00:00Z' })
  // The document states the range in words: OpenAPI 3.0 has no bounds for a date-time.
  .meta({ description: `An RFC 3339 time with any offset, ${STORABLE_TIMES_TEXT} (UTC)` })
  .transform((value) => Date.parse(value))
  .refine(isStorableTime, `must be ${STORABLE_TIMES_TEXT}, the times the store holds`)
  .transform((millis) => new Date(millis).toISOString());
const eventTime = time.refine(
  (value) => Date.parse(value) <= Date.now() + MAX_TIME_SKEW_MS,
  'must not be more than 24 hours in the future',
);
const unit = text(32);

const locationFields = {
  gln: z
    .string()
    .regex(/^\d{13}$/, 'must be a 13-digit GLN')
    .nullish()
    .transform((v) => v ?? null),
  siteId: optionalText(128),
  name: optionalText(256),
};

const location = z
  .strictObject(locationFields)
  .nullish()
  .transform((v) => v ?? null);

/**
 * An administrative division (行政区划): the six-digit GB/T 2260 code of a county, city or province
 * (330106, 330100, 330000). Where a batch was made, where a complaining consumer is, where a party
 * is registered.
 */
export const administrativeDivision = z
  .string({ error: 'must be a six-digit administrative division code (GB/T 2260)' })
  .regex(/^\d{6}$/, 'must be a six-digit administrative division code (GB/T 2260)');

/**
 * A production site's location may name its administrative division (行政区划): the six-digit
 * GB/T 2260 code of the county, city or province (330106, 330100, 330000). Only a production
 * carries it (BatchProduced v3): failure rates by region count where a batch was made.
 */
const productionLocation = z
  .strictObject({
    ...locationFields,
    region: administrativeDivision.nullish().transform((v) => v ?? null),
  })
  .nullish()
  .transform((v) => v ?? null);

const envelope = {
  eventId: z.guid('must be a UUID'),
  eventTime,
  location,
  operator: optionalText(128),
};

function uniqueBatches<T extends { batchId: string }>(lines: T[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    if (seen.has(line.batchId)) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'batchId'],
        message: `batch ${line.batchId} is listed twice`,
      });
    }
    seen.add(line.batchId);
  });
}

const line = z.strictObject({ batchId: identifier, quantity, unit });
const lines = z
  .array(line)
  .min(1, 'must list at least one batch')
  .max(1000)
  .superRefine(uniqueBatches);
const batchIds = z.array(identifier).min(1, 'must name at least one batch').max(1000);

const batchProduced = z.strictObject({
  ...envelope,
  location: productionLocation,
  batchId: identifier,
  product: z.strictObject({ id: identifier, name: text(256) }),
  quantity,
  unit,
  inputs: z
    .array(
      z.strictObject({
        batchId: identifier,
        quantity,
        unit: unit.nullish().transform((v) => v ?? null),
      }),
    )
    .max(1000)
    .superRefine(uniqueBatches)
    .default([]),
});

/**
 * A reference document's number: no control character, and at least one character that is not a
 * space either (the spaces listed, not `\s`, which the document's readers spell differently). One
 * pattern, so that the OpenAPI document states it.
 */
const DOCUMENT_NUMBER =
  // eslint-disable-next-line no-control-regex -- naming the control characters is the point
  /^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff][^\x00-\x1f\x7f-\x9f]*$/;

/**
 * The business documents that record a shipment or receipt (v3): a bill of lading, an invoice, a
 * purchase order... The FSMA 204 export writes them as the reference document type and number.
 * Listing one twice is refused (`uniqueItems`, so the document states it too).
 */
const referenceDocuments = z
  .array(
    z.strictObject({
      type: z.enum(REFERENCE_DOCUMENT_TYPES),
      number: text(MAX_REFERENCE_NUMBER).regex(
        DOCUMENT_NUMBER,
        'must not be blank or contain control characters',
      ),
    }),
  )
  .max(MAX_REFERENCE_DOCUMENTS, `must list at most ${MAX_REFERENCE_DOCUMENTS} documents`)
  .superRefine((documents, ctx) => {
    const seen = new Set<string>();
    documents.forEach(({ type, number }, index) => {
      const key = JSON.stringify([type, number]);
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: [index], message: 'must not repeat a document' });
      }
      seen.add(key);
    });
  })
  .meta({ uniqueItems: true })
  .default([]);

const batchShipped = z.strictObject({
  ...envelope,
  shipmentId: identifier,
  to: identifier,
  lines,
  referenceDocuments,
});

const batchReceived = z.strictObject({
  ...envelope,
  shipmentId: identifier,
  from: identifier,
  lines,
  referenceDocuments,
});

const inspectionRecorded = z.strictObject({
  ...envelope,
  inspectionId: identifier.nullish().transform((v) => v ?? null),
  batchId: identifier,
  kind: z.enum(['SELF_CHECK', 'SUPERVISORY_SAMPLING', 'THIRD_PARTY', 'IMPORT']),
  result: z.enum(['PASS', 'FAIL']),
  findings: z
    .array(
      z.strictObject({
        item: text(256),
        // Lab systems send measurements as numbers; text keeps "未检出" or "<0.01" as written.
        value: z.union([z.number(), text(256)], { error: 'must be a string or a number' }),
        limit: optionalText(256),
        unit: optionalText(32),
      }),
    )
    .max(500)
    .default([]),
  standard: optionalText(256),
  report: optionalText(1024),
  /** The hazard tested for (危害因素): failure rates by hazard are counted from it. */
  hazard: optionalText(256),
});

/**
 * A consumer complaint as the body that received it records it (DefectReported v2): no personal
 * data of the consumer, only the division they are in.
 */
const complaint = z.strictObject({
  channel: z.enum(['HOTLINE_12315', 'ONLINE_PLATFORM', 'RETAILER', 'DIRECT', 'OTHER']),
  receivedAt: eventTime,
  region: administrativeDivision,
  purchasePlace: optionalText(256),
  unitsAffected: z
    .number({ error: 'must be a whole number of units' })
    .int('must be a whole number of units')
    .positive('must be greater than 0')
    .max(1_000_000_000, 'must be at most 1000000000')
    .nullish()
    .transform((v) => v ?? null),
  illnessReported: z.boolean({ error: 'must be true or false' }),
  reference: identifier.nullish().transform((v) => v ?? null),
});

const defectReported = z
  .strictObject({
    ...envelope,
    defectId: identifier,
    batchIds,
    source: z.enum(['INSPECTION', 'COMPLAINT', 'INCIDENT']),
    severity: z.enum(['CRITICAL', 'MAJOR', 'MINOR']),
    hazard: text(2000),
    description: optionalText(8000),
    /** What a consumer complaint carries; only a report whose source is COMPLAINT has one. */
    complaint: complaint.nullish().transform((v) => v ?? null),
  })
  .refine((defect) => defect.complaint === null || defect.source === 'COMPLAINT', {
    message: 'only a report whose source is COMPLAINT carries a complaint',
    path: ['complaint'],
  });

const recallInitiated = z.strictObject({
  ...envelope,
  recallId: identifier,
  rootBatchIds: batchIds,
  level: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'must be 1, 2 or 3' }),
  mode: z.enum(['VOLUNTARY', 'ORDERED']),
  reason: text(2000),
});

const recallNoticeIssued = z.strictObject({
  ...envelope,
  noticeId: identifier,
  recallId: identifier,
  recipient: identifier,
  batches: lines,
  deadline: time,
  actions: z.array(text(256)).max(20).default([]),
});

const recallAcknowledged = z.strictObject({
  ...envelope,
  noticeId: identifier,
  note: optionalText(2000),
});

const recallProgressReported = z.strictObject({
  ...envelope,
  noticeId: identifier,
  recovered: amount,
  destroyed: amount,
  unit,
  note: optionalText(2000),
});

const recallClosed = z.strictObject({
  ...envelope,
  recallId: identifier,
  reason: text(2000),
});

const eventRetracted = z.strictObject({
  ...envelope,
  targetEventId: z.guid('must be a UUID'),
  reason: text(2000),
});

/** Every event type but the EPCIS record, which only the EPCIS capture writes. */
export type PostableEventType = Exclude<Events.EventType, 'EpcisEventCaptured'>;

type EventOf<T extends PostableEventType> = Extract<Events.SuyuanEvent, { eventType: T }>;

/** The event types whose later versions link a derived event to its EPCIS event. */
type EpcisLinked = {
  [T in PostableEventType]: 'epcisEventId' extends keyof EventOf<T> ? T : never;
}[PostableEventType];

/**
 * A native post is never derived from an EPCIS event: its link (`epcisEventId`, added in a later
 * version of these types) is null, and not a field a client sends. Typed by the generated
 * types, so every linked type is listed.
 */
const EPCIS_LINKED: Record<EpcisLinked, true> = {
  BatchProduced: true,
  BatchShipped: true,
  BatchReceived: true,
  InspectionRecorded: true,
  RecallInitiated: true,
};

/** What a posted event of this type gets beside its fields: a null link to an EPCIS event. */
export const nativeLink = (eventType: string): { epcisEventId?: null } =>
  Object.hasOwn(EPCIS_LINKED, eventType) ? { epcisEventId: null } : {};

/** Each validator against the generated Avro type: a schema change not reflected here fails. */
type Checked = {
  [T in PostableEventType]: z.ZodType<
    Omit<EventOf<T>, 'eventType' | 'party' | 'recordedAt' | 'epcisEventId'>
  >;
};

export const SUBMITTED_EVENT_SCHEMAS = {
  BatchProduced: batchProduced,
  BatchShipped: batchShipped,
  BatchReceived: batchReceived,
  InspectionRecorded: inspectionRecorded,
  DefectReported: defectReported,
  RecallInitiated: recallInitiated,
  RecallNoticeIssued: recallNoticeIssued,
  RecallAcknowledged: recallAcknowledged,
  RecallProgressReported: recallProgressReported,
  RecallClosed: recallClosed,
  EventRetracted: eventRetracted,
} satisfies Checked;

/**
 * The same schemas compiled (`z.compile`): a generated fast path answers an event that passes, and
 * the runtime parser one that does not, so a refusal lists the runtime's own issues. Ingest
 * validates every event with these: 4.5–5.4 µs an event of the bench's 1000-event bodies, where the
 * runtime parser took 16–19. The OpenAPI document is made from the schemas themselves.
 */
export const SUBMITTED_EVENT_VALIDATORS = compiled(SUBMITTED_EVENT_SCHEMAS);

function compiled<Schemas extends Record<string, z.ZodType>>(schemas: Schemas): Schemas {
  const entries = Object.entries(schemas).map(([name, schema]) => [name, z.compile(schema)]);
  return Object.fromEntries(entries) as Schemas;
}
