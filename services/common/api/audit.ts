/** The answer of GET /v1/audit: who did what, when and from where. */
import { z } from 'zod';
import { time } from './scalars.js';

export const auditEntrySchema = z.strictObject({
  at: time,
  auditId: z.string(),
  actor: z.string().meta({ description: 'A party id, or "anonymous"' }),
  actorRoles: z.array(z.string()),
  action: z.string(),
  method: z.string(),
  route: z.string(),
  target: z.string(),
  status: z.number().int(),
  ip: z.string(),
  userAgent: z.string(),
  requestId: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;
