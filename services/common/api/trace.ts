/**
 * The answers of the trace API: a batch with its timeline, its trace chain (DESIGN §6) and the
 * batch search. The trace assembly, the routes and the console all use these types.
 */
import { z } from 'zod';
import { evidenceSchema } from './proofs.js';
import { nullableTime, product, time } from './scalars.js';

export const batchFlagsSchema = z.strictObject({
  recalled: z.boolean(),
  failedInspection: z.boolean(),
});

/** A batch as the API shows it; every field but the id is null when no BatchProduced exists. */
const batchFields = {
  batchId: z.string(),
  product: product.nullable(),
  producer: z.string().nullable(),
  operator: z.string().nullable(),
  quantity: z.number().nullable(),
  unit: z.string().nullable(),
  producedAt: nullableTime,
  eventId: z.string().nullable().meta({ description: 'The BatchProduced event that counts' }),
  flags: batchFlagsSchema,
};
export const batchViewSchema = z.strictObject(batchFields);

export const traceBatchSchema = z.strictObject({
  ...batchFields,
  depth: z.number().int().meta({ description: '<0 upstream, 0 the root, >0 downstream' }),
});

export const traceDerivationSchema = z.strictObject({
  input: z.string(),
  output: z.string(),
  eventId: z.string(),
  party: z.string(),
  operator: z.string().nullable(),
  quantity: z.number(),
  unit: z.string().nullable(),
  at: time,
});

export const traceShipmentSchema = z.strictObject({
  shipmentId: z.string(),
  batchId: z.string(),
  from: z.string(),
  to: z.string(),
  quantity: z.number(),
  unit: z.string(),
  shippedAt: nullableTime.meta({ description: 'Null for a receipt no shipment matches' }),
  receivedAt: nullableTime.meta({ description: 'Null while in transit' }),
  receivedQuantity: z
    .number()
    .nullable()
    .meta({ description: 'What the receipts recorded, so a shortfall shows; null in transit' }),
  operator: z.string().nullable(),
  eventIds: z
    .array(z.string())
    .meta({ description: 'The BatchShipped event first (if any), then the BatchReceived events' }),
});

export const traceInspectionSchema = z.strictObject({
  inspectionId: z.string(),
  batchId: z.string(),
  inspector: z.string(),
  kind: z.string(),
  result: z.string(),
  standard: z.string().nullable(),
  report: z.string().nullable(),
  findings: z.unknown().meta({ description: 'The findings as recorded: [{ item, value, … }]' }),
  at: time,
  eventId: z.string(),
});

export const INVOLVEMENTS = ['producer', 'processor', 'shipper', 'receiver', 'inspector'] as const;
export type Involvement = (typeof INVOLVEMENTS)[number];

export const tracePartySchema = z.strictObject({
  partyId: z.string(),
  name: z.string().nullable().meta({ description: 'Null when the party is not registered' }),
  involvement: z.array(z.enum(INVOLVEMENTS)),
});

export const TRACE_DIRECTIONS = ['upstream', 'downstream', 'both'] as const;

/** An identifier an EPCIS event on the trace named that no trace can place (docs/epcis.md). */
export const traceUnresolvedLinkSchema = z.strictObject({
  epcisEventId: z.string().meta({ description: 'The EPCIS event that named it' }),
  path: z.string().meta({ description: 'Where in that event, e.g. inputQuantityList[1].epcClass' }),
  id: z.string().meta({ description: 'The identifier, canonical (a class pattern, an SSCC…)' }),
  reason: z.string(),
});

export const traceSchema = z
  .strictObject({
    root: z.string(),
    direction: z.enum(TRACE_DIRECTIONS),
    truncated: z.boolean().meta({ description: 'True when maxDepth or maxNodes cut the walk' }),
    limits: z.strictObject({ maxDepth: z.number().int(), maxNodes: z.number().int() }),
    batches: z.array(traceBatchSchema),
    derivations: z.array(traceDerivationSchema),
    shipments: z.array(traceShipmentSchema),
    inspections: z.array(traceInspectionSchema),
    parties: z.array(tracePartySchema),
    unresolvedLinks: z.array(traceUnresolvedLinkSchema).optional().meta({
      description:
        'Present when EPCIS events on the trace named what no trace can place: kept, never dropped',
    }),
    redacted: z.boolean().meta({
      description: 'True when the one-up/one-down rule left something out (never for regulators)',
    }),
    evidence: evidenceSchema.optional().meta({
      description: 'With `evidence=true`: the signed proofs of the events the trace shows',
    }),
  })
  .meta({ id: 'Trace' });

export const timelineEntrySchema = z.strictObject({
  eventId: z.string(),
  eventType: z.string(),
  eventTime: time,
  recordedAt: nullableTime,
  party: z.string(),
  operator: z.string().nullable(),
  location: z
    .strictObject({
      gln: z.string().nullable(),
      siteId: z.string().nullable(),
      name: z.string().nullable(),
    })
    .nullable(),
  retracted: z.boolean(),
  data: z
    .record(z.string(), z.unknown())
    .meta({ description: "The event's own fields, without the envelope above" }),
});

export const batchDetailSchema = z
  .strictObject({
    ...batchFields,
    timeline: z.array(timelineEntrySchema),
    redacted: z.boolean().optional().meta({
      description: "For a party that is not a regulator: true when others' events were left out",
    }),
  })
  .meta({ id: 'Batch' });

export const batchSearchHitSchema = z
  .strictObject({ batchId: z.string(), product, producer: z.string(), producedAt: time })
  .meta({ id: 'BatchSearchHit' });

export type BatchFlags = z.infer<typeof batchFlagsSchema>;
export type BatchView = z.infer<typeof batchViewSchema>;
export type TraceBatch = z.infer<typeof traceBatchSchema>;
export type TraceDerivation = z.infer<typeof traceDerivationSchema>;
export type TraceShipment = z.infer<typeof traceShipmentSchema>;
export type TraceInspection = z.infer<typeof traceInspectionSchema>;
export type TraceParty = z.infer<typeof tracePartySchema>;
export type TraceDirection = (typeof TRACE_DIRECTIONS)[number];
export type Trace = z.infer<typeof traceSchema>;
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
export type BatchDetail = z.infer<typeof batchDetailSchema>;
export type BatchSearchHit = z.infer<typeof batchSearchHitSchema>;
