/** The answer of the operator's log routes (GET and quarantine of /v1/admin/log/…). */
import { z } from 'zod';
import { time } from './scalars.js';

export const logRecordViewSchema = z
  .strictObject({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.number().int(),
    key: z.string(),
    timestamp: time,
    headers: z.record(z.string(), z.string()),
    event: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({ description: 'The decoded event; null when the record does not decode' }),
    decodeError: z.string().nullable(),
    valueBase64: z
      .string()
      .nullable()
      .meta({ description: 'The raw value in base64, when it does not decode' }),
    quarantine: z
      .strictObject({
        reason: z.string(),
        actor: z.string().meta({ description: 'The admin party that quarantined it' }),
        at: time,
      })
      .nullable(),
    deadLetters: z.array(
      z.strictObject({ consumer: z.string(), cause: z.string(), reason: z.string(), at: time }),
    ),
    consumers: z
      .array(z.strictObject({ group: z.string(), passed: z.boolean() }))
      .meta({ description: 'Whether each consumer group has committed past the record' }),
  })
  .meta({ id: 'LogRecord' });

export type LogRecordViewAnswer = z.infer<typeof logRecordViewSchema>;
