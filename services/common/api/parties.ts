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

export type NewPartyAnswer = z.infer<typeof newPartySchema>;
export type NewKeyAnswer = z.infer<typeof newKeySchema>;
