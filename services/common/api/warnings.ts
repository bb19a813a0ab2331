/**
 * The answers of the risk early warning API (风险预警): warnings computed from the projection by
 * the configured rules, each with its evidence and its state.
 */
import { z } from 'zod';
import { WARNING_SIGNALS } from '../warning-rules.js';
import { time } from './scalars.js';

export const WARNING_STATUSES = ['open', 'acknowledged', 'dismissed', 'escalated'] as const;
export type WarningStatus = (typeof WARNING_STATUSES)[number];

export const WARNING_SUBJECTS = ['product', 'party', 'batch', 'region', 'hazard'] as const;

export const warningStateChangeSchema = z
  .strictObject({
    status: z.enum(WARNING_STATUSES),
    reason: z.string().nullable(),
    recallId: z.string().nullable(),
    by: z.string(),
    at: time,
  })
  .meta({ id: 'WarningStateChange' });

export const warningSchema = z
  .strictObject({
    warningId: z.string().meta({ description: 'Stable for the same rule and subject' }),
    ruleId: z.string(),
    signal: z.enum(WARNING_SIGNALS),
    level: z.number().int().min(1).max(3).meta({ description: '1 一级 act now, 2 二级, 3 三级' }),
    status: z.enum(WARNING_STATUSES),
    subject: z.strictObject({ kind: z.enum(WARNING_SUBJECTS), id: z.string() }),
    productId: z.string().nullable(),
    partyId: z.string().nullable().meta({ description: 'The party the warning is about' }),
    region: z
      .string()
      .nullable()
      .meta({
        description:
          "The administrative division it is about, a GB/T 2260 code (330106): a region's own; " +
          "else the suspected batch's (its production site's, else its producer's registered " +
          'region); else the registered region of the party named; null: none known',
      }),
    value: z.number().meta({ description: 'The failure rate, or the count' }),
    samples: z.number().int(),
    threshold: z.number(),
    since: time.meta({ description: 'The start of the sliding window' }),
    latestAt: time.meta({ description: 'The latest event behind it' }),
    evidence: z.strictObject({
      inspectionEventIds: z.array(z.string()),
      defectEventIds: z.array(z.string()),
      batchIds: z.array(z.string()),
    }),
    suspectedBatchId: z.string().nullable(),
    trace: z
      .string()
      .nullable()
      .meta({ description: 'The trace of the suspected batch, to start from' }),
    history: z.array(warningStateChangeSchema).meta({ description: 'State changes, oldest first' }),
  })
  .meta({ id: 'Warning' });

export type WarningView = z.output<typeof warningSchema>;
export type WarningStateChange = z.output<typeof warningStateChangeSchema>;

export const failureRateDaySchema = z
  .strictObject({
    day: z.string().meta({ description: 'A day in UTC: 2026-12-01', format: 'date' }),
    inspections: z.number().int(),
    failures: z.number().int(),
  })
  .meta({ id: 'FailureRateDay' });

export const failureRatesSchema = z
  .strictObject({
    productId: z.string().nullable(),
    partyId: z.string().nullable().meta({ description: 'The producer of the inspected batches' }),
    days: z.array(failureRateDaySchema).meta({
      description: 'Every day of the window, oldest first; a day without inspections counts 0',
    }),
  })
  .meta({ id: 'FailureRates' });

export type FailureRateDay = z.output<typeof failureRateDaySchema>;
export type FailureRates = z.output<typeof failureRatesSchema>;
