/** The one error answer (DESIGN §6): `{ error, message, details? }`. */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

const codes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const fieldIssueSchema = z.strictObject({
  index: z.number().int().optional().meta({ description: 'The event, in a submission of several' }),
  eventId: z.string().optional(),
  path: z.string(),
  message: z.string(),
});

export const errorSchema = z
  .strictObject({
    error: z.enum(codes),
    message: z.string().meta({ description: 'Names the field first: "events[0].quantity: …"' }),
    details: z.array(fieldIssueSchema).optional(),
  })
  .meta({ id: 'Error' });

export type ErrorAnswer = z.infer<typeof errorSchema>;
