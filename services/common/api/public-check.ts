/**
 * The answer of the public trace-code check (扫码查询): what anyone who scans a code on a package
 * may read, without a key. Only what each party opted in to (its public profile) appears; a
 * recall always does. docs: README "The public check".
 */
import { z } from 'zod';
import { product, time } from './scalars.js';

export const PUBLIC_LANGUAGES = ['zh-CN', 'en'] as const;
export type PublicLanguage = (typeof PUBLIC_LANGUAGES)[number];

/** A party as the public sees it: each field null unless the party opted in to it. */
export const publicPartySchema = z.strictObject({
  name: z.string().nullable().meta({ description: 'Shown when the party opted in' }),
  region: z.string().nullable().meta({ description: 'Shown when the party gave one' }),
});

export const publicRecallSchema = z.strictObject({
  level: z.number().int().min(1).max(3).meta({ description: '1 is the most serious' }),
  reason: z.string(),
  whatToDo: z.string().meta({ description: 'What a holder of the product should do, in `lang`' }),
  since: time.meta({ description: 'When the recall started' }),
});

export const publicCheckSchema = z
  .strictObject({
    code: z.string().meta({ description: 'The code as checked' }),
    lang: z
      .enum(PUBLIC_LANGUAGES)
      .meta({ description: 'The language of the texts, by Accept-Language' }),
    recall: publicRecallSchema
      .nullable()
      .meta({ description: 'The most serious open recall of the batch; null when none' }),
    product: product.nullable().meta({ description: 'Null unless the producer opted in' }),
    producer: publicPartySchema
      .nullable()
      .meta({ description: 'Null unless the producer opted in' }),
    producedAt: time.nullable(),
    origin: z
      .array(z.strictObject({ product, producer: publicPartySchema, producedAt: time }))
      .meta({ description: 'The origin batches whose producers opted in' }),
    inspections: z.array(
      z.strictObject({
        kind: z.enum(['SELF_CHECK', 'SUPERVISORY_SAMPLING', 'THIRD_PARTY', 'IMPORT']),
        passed: z.boolean(),
        at: time,
        inspector: publicPartySchema.nullable().meta({ description: 'Null unless it opted in' }),
      }),
    ),
    checks: z.strictObject({
      count: z
        .number()
        .int()
        .min(1)
        .meta({ description: 'Checks of this code, this one included' }),
      firstCheckedAt: time,
    }),
  })
  .meta({ id: 'PublicCheck' });

export type PublicCheck = z.infer<typeof publicCheckSchema>;
export type PublicParty = z.infer<typeof publicPartySchema>;

/** A code a regulator should look at: checked from many networks, or far too often. */
export const suspiciousCodeSchema = z
  .strictObject({
    code: z.string().meta({ description: 'The batch id the checks resolved to' }),
    count: z.number().int(),
    firstCheckedAt: time,
    lastCheckedAt: time,
    networks: z
      .number()
      .int()
      .meta({ description: 'Distinct client networks (/24, /48), counted up to the threshold' }),
    reasons: z.array(z.enum(['networks', 'checks'])),
  })
  .meta({ id: 'SuspiciousCode' });

export type SuspiciousCodeAnswer = z.infer<typeof suspiciousCodeSchema>;
