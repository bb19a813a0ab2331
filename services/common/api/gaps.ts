/**
 * The answer of GET /v1/gaps: broken links in the chain (断链) and quantities that do not
 * balance, each naming the batches, shipment and events behind it.
 */
import { z } from 'zod';
import { time } from './scalars.js';

export const GAP_KINDS = [
  'unreceived-shipment',
  'unmatched-receipt',
  'unproduced-input',
  'over-shipped',
  'over-yield',
] as const;

export type GapKind = (typeof GAP_KINDS)[number];

/** Not a named component: OpenAPI 3.0 cannot make a referenced schema nullable. */
export const gapQuantitiesSchema = z.strictObject({
  unit: z.string(),
  in: z.number().meta({
    description: 'What the party had (produced and received) or, for over-yield, the inputs used',
  }),
  out: z.number().meta({
    description: 'What it shipped and used, or, for over-yield, the output made',
  }),
});

export const gapSchema = z
  .strictObject({
    gapId: z.string().meta({ description: 'Stable for the same kind and subject' }),
    kind: z.enum(GAP_KINDS),
    at: time.meta({ description: 'The time of the latest event behind it' }),
    parties: z.array(z.string()).meta({ description: 'The parties involved' }),
    batchIds: z.array(z.string()),
    shipmentId: z.string().nullable(),
    transformationEventId: z
      .string()
      .nullable()
      .meta({ description: 'The BatchProduced with inputs (加工) it is about, if one' }),
    eventIds: z.array(z.string()).meta({ description: 'The events behind it' }),
    quantities: gapQuantitiesSchema.nullable(),
  })
  .meta({ id: 'Gap' });

export type GapView = z.output<typeof gapSchema>;

export const gapListSchema = z
  .strictObject({
    gaps: z.array(gapSchema).meta({ description: 'Newest first, at most `limit`' }),
    counts: z
      .strictObject({
        'unreceived-shipment': z.number().int(),
        'unmatched-receipt': z.number().int(),
        'unproduced-input': z.number().int(),
        'over-shipped': z.number().int(),
        'over-yield': z.number().int(),
      })
      .meta({
        description:
          'How many gaps of each kind the caller sees in all (0 for a kind not asked for)',
      }),
  })
  .meta({ id: 'GapList' });

export type GapList = z.output<typeof gapListSchema>;
