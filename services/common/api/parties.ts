/** The answers of the party and API-key routes (admin). Secrets are shown once, when issued. */
import { z } from 'zod';
import { nullableTime, time } from './scalars.js';

const newKeyFields = {
  partyId: z.string(),
  keyId: z.string(),
  apiKey: z.string().meta({ description: 'Shown only once' }),
};

export const newPartySchema = z.strictObject({
  ...newKeyFields,
  webhookSecret: z
    .string()
    .optional()
    .meta({ description: 'Generated when the webhook came without one; shown only once' }),
});

export const newKeySchema = z.strictObject(newKeyFields);

export const apiKeyInfoSchema = z.strictObject({
  keyId: z.string(),
  createdAt: time,
  revokedAt: nullableTime,
});

/** What a party lets the public trace-code check show of it. */
export const publicProfileSchema = z.strictObject({
  showName: z.boolean().meta({ description: "Show the party's registered name" }),
  region: z
    .string()
    .nullable()
    .meta({ description: 'The region shown (省/市, or as the party words it); null: none' }),
});

export const publicProfileAnswerSchema = z.strictObject({
  partyId: z.string(),
  publicProfile: publicProfileSchema
    .nullable()
    .meta({ description: 'null: nothing of the party is public (the default)' }),
});

/** A party's registered region. */
export const partyRegionSchema = z.strictObject({
  partyId: z.string(),
  region: z
    .string()
    .nullable()
    .meta({ description: 'Its administrative division, a GB/T 2260 code; null: none' }),
});

export type NewPartyAnswer = z.infer<typeof newPartySchema>;
export type NewKeyAnswer = z.infer<typeof newKeySchema>;
