/**
 * The building blocks of the API's answer schemas. An answer is a strict object: a field the
 * server sends but the schema does not declare fails the end-to-end checks (drift is a test
 * failure), and the OpenAPI document says `additionalProperties: false`.
 */
import { z } from 'zod';

const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time in UTC, as every answer writes times. */
export const time = z
  .string()
  .refine((value) => RFC_3339.test(value), 'must be an RFC 3339 time')
  .meta({ format: 'date-time' });

export const nullableTime = time.nullable();

/** A product as the producing event named it. */
export const product = z.strictObject({ id: z.string(), name: z.string() });
