/**
 * The shapes the OpenAPI document names (`components.schemas`): each event type as posted, the
 * answers of the read routes, the error. Event shapes are generated from the zod schemas the
 * ingest validates with; the answers follow the views in trace-api/ and recall/.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import { SUBMITTED_EVENT_SCHEMAS } from '../../ingest/event-schemas.js';
import { MAX_EVENTS_PER_REQUEST } from '../../ingest/parse-submission.js';

export type JsonSchema = Record<string, unknown>;

/** OpenAPI 3.0 has `nullable`, not `type: [..., "null"]`; zod writes that dialect on request. */
export const OPENAPI_VERSION = '3.0.3';

/** What a request may be, from the zod schema its handler validates with. */
export const fromZod = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' });

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const str = { type: 'string' } as const;
export const num = { type: 'number' } as const;
export const int = { type: 'integer' } as const;
export const bool = { type: 'boolean' } as const;
export const time = { type: 'string', format: 'date-time' } as const;
export const id = { type: 'string', minLength: 1 } as const;
export const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, nullable: true });
export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
export const enumOf = (values: readonly (string | number)[]): JsonSchema => ({
  type: typeof values[0] === 'number' ? 'integer' : 'string',
  enum: [...values],
});
/** An object whose properties are all required but those named optional. */
export const object = (
  properties: Record<string, JsonSchema>,
  optional: string[] = [],
): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
});

/**
 * Each event type as posted: its zod schema plus the `eventType` tag. (`party` may also be sent,
 * but only as the caller's own id, which a schema cannot say; so it is left out here.)
 */
function eventComponent(eventType: string, schema: z.ZodType): JsonSchema {
  const json = fromZod(schema);
  return {
    ...json,
    properties: { eventType: enumOf([eventType]), ...(json.properties as JsonSchema) },
    required: ['eventType', ...((json.required as string[] | undefined) ?? [])],
  };
}

const eventTypes = Object.keys(SUBMITTED_EVENT_SCHEMAS);

const noticeLine = object({ batchId: str, quantity: num, unit: str });

const batchView = {
  batchId: str,
  product: nullable(object({ id: str, name: str })),
  producer: nullable(str),
  operator: nullable(str),
  quantity: nullable(num),
  unit: nullable(str),
  producedAt: nullable(time),
  eventId: nullable(str),
  flags: object({ recalled: bool, failedInspection: bool }),
};

const timelineEntry = object({
  eventId: str,
  eventType: str,
  eventTime: time,
  recordedAt: nullable(time),
  party: str,
  operator: nullable(str),
  location: nullable(object({ gln: nullable(str), siteId: nullable(str), name: nullable(str) })),
  retracted: bool,
  data: { type: 'object', description: "The event's own fields, without the envelope" },
});

const redacted = {
  ...bool,
  description: 'True when the one-up/one-down rule left something out (never for regulators)',
};

const trace = object({
  root: str,
  direction: enumOf(['upstream', 'downstream', 'both']),
  truncated: bool,
  limits: object({ maxDepth: int, maxNodes: int }),
  batches: arrayOf(object({ ...batchView, depth: { ...int, description: '<0 up, 0 root' } })),
  derivations: arrayOf(
    object({
      ...{ input: str, output: str, eventId: str, party: str, operator: nullable(str) },
      ...{ quantity: num, unit: nullable(str), at: time },
    }),
  ),
  shipments: arrayOf(
    object({
      ...{ shipmentId: str, batchId: str, from: str, to: str, quantity: num, unit: str },
      ...{ shippedAt: nullable(time), receivedAt: nullable(time), receivedQuantity: nullable(num) },
      ...{ operator: nullable(str), eventIds: arrayOf(str) },
    }),
  ),
  inspections: arrayOf(
    object({
      ...{ inspectionId: str, batchId: str, inspector: str, kind: str, result: str },
      ...{ standard: nullable(str), report: nullable(str), findings: {}, at: time, eventId: str },
    }),
  ),
  parties: arrayOf(
    object({
      partyId: str,
      name: nullable(str),
      involvement: arrayOf(enumOf(['producer', 'processor', 'shipper', 'receiver', 'inspector'])),
    }),
  ),
  redacted,
});

const deliveryStatus = enumOf(['no-webhook', 'pending', 'retrying', 'delivered', 'failed']);

const notice = object({
  ...{ noticeId: str, recallId: str, recipient: str, recipientName: nullable(str) },
  ...{ batches: arrayOf(ref('NoticeLine')), actions: arrayOf(str), deadline: time },
  ...{ issuedAt: time, overdue: bool, acknowledgedAt: nullable(time) },
  delivery: object({
    ...{ status: deliveryStatus, attempts: int, lastAttemptAt: nullable(time) },
    ...{ lastError: nullable(str), nextAttemptAt: nullable(time), deliveredAt: nullable(time) },
  }),
  recovered: num,
  destroyed: num,
  progressReports: arrayOf(
    object({ at: time, party: str, recovered: num, destroyed: num, unit: nullable(str) }),
  ),
});

const recall = object({
  ...{ recallId: str, level: int, mode: str, status: enumOf(['open', 'closed']), reason: str },
  ...{ initiatedBy: str, startedAt: time, deadline: time, completeBy: time },
  ...{ closedAt: nullable(time), closedBy: nullable(str), closeReason: nullable(str) },
  ...{ rootBatchIds: arrayOf(str), affectedBatchIds: arrayOf(str) },
  progress: object({
    ...{ notices: int, delivered: int, acknowledged: int, failed: int, overdue: int },
    ...{ recovered: num, destroyed: num, handled: num },
    byUnit: arrayOf(object({ unit: str, handled: num, recovered: num, destroyed: num })),
    byTier: {
      ...arrayOf(
        object({
          tier: nullable(int),
          ...{ notices: int, delivered: int, acknowledged: int, failed: int, overdue: int },
        }),
      ),
      description:
        "Notices by custody steps from the root batches' producers (0: the producers); null: a " +
        'recipient the records no longer place on the chain',
    },
  }),
  redacted: {
    ...bool,
    description:
      'True when the one-up/one-down rule left batch ids or notices out (never for regulators)',
  },
});

const recallReport = object({
  generatedAt: time,
  recall: ref('Recall'),
  notices: arrayOf(
    object({
      ...{ noticeId: str, recipient: str, recipientName: nullable(str) },
      ...{ batches: arrayOf(ref('NoticeLine')), issuedAt: time, deadline: time },
      ...{ deliveryStatus, deliveredAt: nullable(time), attempts: int },
      ...{ acknowledgedAt: nullable(time), recovered: num, destroyed: num },
      ...{ reportUnits: arrayOf(str), overdue: bool },
    }),
  ),
});

const errorBody = object(
  {
    error: enumOf(Object.keys(ERROR_CODES)),
    message: { ...str, description: 'Names the field first: "events[0].quantity: …"' },
    details: arrayOf(
      object({ index: int, eventId: str, path: str, message: str }, ['index', 'eventId']),
    ),
  },
  ['details'],
);

/** `components.schemas` of the document: what the route schemas point to with `$ref`. */
export const OPENAPI_COMPONENT_SCHEMAS: Record<string, JsonSchema> = {
  ...Object.fromEntries(
    Object.entries(SUBMITTED_EVENT_SCHEMAS).map(([type, schema]) => [
      type,
      eventComponent(type, schema),
    ]),
  ),
  Event: {
    description:
      'One event, tagged by `eventType`. It may name `party` only as the calling party: the ' +
      "acting party is the API key's (another answers 403). Unknown fields are refused.",
    oneOf: eventTypes.map(ref),
    discriminator: {
      propertyName: 'eventType',
      mapping: Object.fromEntries(eventTypes.map((type) => [type, ref(type).$ref])),
    },
  },
  EventBatch: {
    ...object({
      events: { type: 'array', items: ref('Event'), minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST },
    }),
    additionalProperties: false,
  },
  Error: errorBody,
  NoticeLine: noticeLine,
  Batch: object({ ...batchView, timeline: arrayOf(timelineEntry), redacted }, ['redacted']),
  Trace: trace,
  Recall: recall,
  Notice: notice,
  RecallReport: recallReport,
};
