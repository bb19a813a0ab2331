/**
 * The answers of the recall API (DESIGN §6): recalls with their progress, notices with their
 * delivery, the summary report (召回总结) and the mock recall (演练).
 */
import { z } from 'zod';
import { evidenceSchema } from './proofs.js';
import { nullableTime, time } from './scalars.js';

export const noticeLineSchema = z
  .strictObject({ batchId: z.string(), quantity: z.number(), unit: z.string() })
  .meta({ id: 'NoticeLine' });

export const DELIVERY_STATUSES = [
  'no-webhook',
  'pending',
  'retrying',
  'delivered',
  'failed',
] as const;

export const noticeDeliverySchema = z.strictObject({
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastAttemptAt: nullableTime,
  lastError: z.string().nullable(),
  nextAttemptAt: nullableTime,
  deliveredAt: nullableTime.meta({ description: 'The first attempt that succeeded' }),
});

export const progressReportSchema = z.strictObject({
  at: time,
  party: z.string(),
  recovered: z.number(),
  destroyed: z.number(),
  unit: z.string().nullable(),
  note: z.string().nullable(),
});

export const noticeSchema = z
  .strictObject({
    noticeId: z.string(),
    recallId: z.string(),
    recipient: z.string(),
    recipientName: z.string().nullable(),
    batches: z.array(noticeLineSchema),
    actions: z.array(z.string()),
    deadline: time,
    issuedAt: time,
    overdue: z.boolean().meta({ description: 'Past its deadline without an acknowledgement' }),
    delivery: noticeDeliverySchema,
    acknowledgedAt: nullableTime,
    recovered: z.number(),
    destroyed: z.number(),
    progressReports: z.array(progressReportSchema),
  })
  .meta({ id: 'Notice' });

export const unitProgressSchema = z.strictObject({
  unit: z.string(),
  handled: z.number(),
  recovered: z.number(),
  destroyed: z.number(),
});

export const tierProgressSchema = z
  .strictObject({
    tier: z
      .number()
      .int()
      .nullable()
      .meta({
        description:
          "Custody steps from the root batches' producers (0: the producers); null: a recipient " +
          'the records no longer place on the chain',
      }),
    notices: z.number().int(),
    delivered: z.number().int(),
    acknowledged: z.number().int(),
    failed: z.number().int(),
    overdue: z.number().int(),
  })
  .meta({ id: 'TierProgress' });

export const recallProgressSchema = z.strictObject({
  notices: z.number().int(),
  delivered: z.number().int(),
  acknowledged: z.number().int(),
  failed: z.number().int().meta({ description: 'Notices whose delivery was given up' }),
  overdue: z.number().int(),
  recovered: z.number().meta({ description: 'Sums over every unit; byUnit can be compared' }),
  destroyed: z.number(),
  handled: z.number(),
  byUnit: z.array(unitProgressSchema),
  byTier: z.array(tierProgressSchema).meta({
    description: "Every notice counted by its recipient's tier, nearest first: names no one",
  }),
});

export const RECALL_STATUSES = ['open', 'closed'] as const;
export const DEFECT_SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR'] as const;

/**
 * What a recall's reason is made of: the parts of a reason the platform wrote itself, for a
 * client to say in its own language, or `written` for a reason a person wrote.
 */
export const systemReasonSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('defect'),
      severity: z.enum(DEFECT_SEVERITIES),
      defectId: z.string(),
      hazard: z.string(),
    }),
    z.strictObject({
      kind: z.literal('sampling'),
      findings: z.string().nullable().meta({ description: 'The failed findings, as one text' }),
    }),
    z.strictObject({ kind: z.literal('written') }),
  ])
  .meta({ id: 'SystemReason' });

export const recallSchema = z
  .strictObject({
    recallId: z.string(),
    level: z.number().int(),
    mode: z.string(),
    status: z.enum(RECALL_STATUSES),
    reason: z.string(),
    reasonParts: systemReasonSchema.meta({
      description:
        'When the platform opened the recall itself (a defect report, a failed supervisory ' +
        'sampling): the parts of `reason`, for a client to word in its own language; ' +
        '`written` for a reason a person wrote, to show as it is',
    }),
    initiatedBy: z.string(),
    startedAt: time,
    deadline: time.meta({ description: 'When every holder must have started acting' }),
    completeBy: time,
    closedAt: nullableTime,
    closedBy: z.string().nullable(),
    closeReason: z.string().nullable(),
    rootBatchIds: z.array(z.string()),
    affectedBatchIds: z.array(z.string()),
    progress: recallProgressSchema,
    redacted: z.boolean().meta({
      description:
        'True when the one-up/one-down rule left batch ids or notices out (never for regulators)',
    }),
  })
  .meta({ id: 'Recall' });

export const reportRowSchema = z.strictObject({
  noticeId: z.string(),
  recipient: z.string(),
  recipientName: z.string().nullable(),
  batches: z.array(noticeLineSchema),
  issuedAt: time,
  deadline: time,
  deliveryStatus: z.enum(DELIVERY_STATUSES),
  deliveredAt: nullableTime,
  attempts: z.number().int(),
  acknowledgedAt: nullableTime,
  recovered: z.number(),
  destroyed: z.number(),
  reportUnits: z.array(z.string()).meta({ description: "The units of the recipient's reports" }),
  overdue: z.boolean(),
});

export const effectivenessPointSchema = z
  .strictObject({
    at: time,
    notified: z.number().int().meta({ description: 'Notices issued by then' }),
    acknowledged: z.number().int().meta({ description: 'Notices acknowledged by then' }),
    recovered: z
      .array(z.strictObject({ unit: z.string(), quantity: z.number() }))
      .meta({ description: 'Recovered by then, per unit (never added across units)' }),
  })
  .meta({ id: 'EffectivenessPoint' });

export const recallReportSchema = z
  .strictObject({
    generatedAt: time,
    recall: recallSchema,
    notices: z.array(reportRowSchema),
    effectiveness: z.array(effectivenessPointSchema).meta({
      description:
        'Recall effectiveness over time: a point at each issue, acknowledgement and progress ' +
        "report, oldest first, to read against the recall's deadline and completeBy",
    }),
    evidence: evidenceSchema.optional().meta({
      description: 'With `evidence=true`: the signed proofs of the events the report rests on',
    }),
  })
  .meta({ id: 'RecallReport' });

export const mockRecallSchema = z
  .strictObject({
    rootBatchIds: z.array(z.string()),
    affectedBatchIds: z
      .array(z.string())
      .meta({ description: 'The affected batches the caller may see' }),
    affectedBatchCount: z.number().int().meta({ description: 'Every affected batch, seen or not' }),
    parties: z
      .array(
        z.strictObject({
          partyId: z.string(),
          name: z.string().nullable(),
          batches: z.array(noticeLineSchema),
        }),
      )
      .meta({
        description: 'The parties the caller may see, with the batches of theirs it may see',
      }),
    byTier: z
      .array(z.strictObject({ tier: z.number().int().nullable(), parties: z.number().int() }))
      .meta({ description: 'Every party the recall would notify, counted by tier, nearest first' }),
    redacted: z.boolean().meta({
      description: 'True when the one-up/one-down rule left a party or a batch out',
    }),
    truncated: z.boolean(),
    elapsedMs: z.number().int(),
  })
  .meta({ id: 'MockRecall' });

export type NoticeLine = z.infer<typeof noticeLineSchema>;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type NoticeDelivery = z.infer<typeof noticeDeliverySchema>;
export type ProgressReport = z.infer<typeof progressReportSchema>;
export type NoticeView = z.infer<typeof noticeSchema>;
export type UnitProgress = z.infer<typeof unitProgressSchema>;
export type TierProgress = z.infer<typeof tierProgressSchema>;
export type RecallProgress = z.infer<typeof recallProgressSchema>;
export type RecallStatus = (typeof RECALL_STATUSES)[number];
export type RecallView = z.infer<typeof recallSchema>;
export type SystemReason = z.infer<typeof systemReasonSchema>;
export type DefectSeverity = (typeof DEFECT_SEVERITIES)[number];
export type ReportRow = z.infer<typeof reportRowSchema>;
export type RecallReport = z.infer<typeof recallReportSchema>;
export type EffectivenessPoint = z.infer<typeof effectivenessPointSchema>;
export type MockRecallView = z.infer<typeof mockRecallSchema>;
