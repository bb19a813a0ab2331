/** The answer of POST /v1/events: each event accepted or a duplicate, and what to heed. */
import { z } from 'zod';

export const ingestResultSchema = z.strictObject({
  eventId: z.string(),
  status: z.enum(['accepted', 'duplicate']),
});

export const ingestWarningSchema = z.strictObject({
  index: z.number().int(),
  eventId: z.string(),
  recallIds: z.array(z.string()),
  message: z.string(),
});

export const ingestAnswerSchema = z.strictObject({
  results: z.array(ingestResultSchema),
  warnings: z
    .array(ingestWarningSchema)
    .optional()
    .meta({ description: 'Accepted events that deserve attention: a batch under recall shipped' }),
});

export type IngestResult = z.infer<typeof ingestResultSchema>;
export type IngestWarning = z.infer<typeof ingestWarningSchema>;
export type IngestAnswer = z.infer<typeof ingestAnswerSchema>;
