/**
 * The public trace-code check's contract: three addresses of one check, answered without a key —
 * `/t/{code}` for any batch id or national trace code, and the GS1 Digital Link paths of a lot and
 * of an item — as HTML or, for `Accept: application/json`, JSON; and the regulators' list of
 * suspicious codes.
 */
import { z } from 'zod';
import { publicCheckSchema, suspiciousCodeSchema } from '../../common/api/public-check.js';
import type { AuditRule } from '../../common/audit/audit-policy.js';
import { defineOperation, idParameter, integerParameter } from '../../common/http/operations.js';

const answers = {
  200: {
    description:
      'What is public of the batch: an open recall first; product, producer, origin and inspections as far as each party opted in; how often the code was checked',
    content: { 'text/html': z.string(), 'application/json': publicCheckSchema },
  },
} as const;

const description =
  'No API key. HTML (zh-CN or English by Accept-Language) unless the client asks for ' +
  '`application/json`. An unknown code and a code of which nothing is public answer the same 404. ' +
  'Limited per client address.';

const common = {
  method: 'GET',
  tag: 'public',
  public: true,
  limitedByAddress: true,
  description,
  answers,
  errors: [404, 429],
  // A browser asked for a page, so an unknown or malformed code gets a page too.
  errorPages: [400, 404],
} as const;

/**
 * The Digital Link path's parameters are checked by the handler, which answers a browser with a
 * page naming the field; the document states the rules: a GTIN-8, -12, -13 or -14 (its GS1 check
 * digit is arithmetic no pattern states: a wrong one answers 400 naming `gtin`), and a lot or
 * serial (GS1 AI 10, AI 21) of 1 to 20 characters of GS1's character set 82. The handler also
 * reads other characters an EPCIS capture may have put in a lot (any but a line break).
 */
const gtin = idParameter.meta({
  pattern: '^(\\d{8}|\\d{12,14})$',
  description: 'A GTIN-8, -12, -13 or -14 ending in its GS1 check digit',
  example: '09506000134352',
});
const gs1Qualifier = (name: string, example: string) =>
  idParameter.meta({
    pattern: '^[!"%-?A-Z_a-z]{1,20}$',
    description: `The ${name}: 1 to 20 characters of GS1's character set 82`,
    example,
  });

export const checkCodeOperation = defineOperation({
  ...common,
  url: '/t/:code',
  operationId: 'checkCode',
  summary: 'Public check of a trace code: a batch id or a national trace code',
  params: z.strictObject({ code: idParameter }),
});

export const checkLotOperation = defineOperation({
  ...common,
  url: '/01/:gtin/10/:lot',
  operationId: 'checkLot',
  summary:
    'Public check of a GS1 Digital Link lot: an EPCIS lot, or a batch whose product id is the GTIN',
  params: z.strictObject({ gtin, lot: gs1Qualifier('lot', 'LOT-2026-11') }),
  errors: [400, 404, 429],
});

export const checkItemOperation = defineOperation({
  ...common,
  url: '/01/:gtin/21/:serial',
  operationId: 'checkItem',
  summary: 'Public check of a GS1 Digital Link item (an EPCIS serialised item)',
  params: z.strictObject({ gtin, serial: gs1Qualifier('serial', 'SN-0001') }),
  errors: [400, 404, 429],
});

/** A regulator's look at the suspicious codes is recorded, as its trace reads are. */
const suspiciousListed: AuditRule = () => ({
  action: 'public-checks.suspicious.read',
  target: '',
  detail: {},
});

export const listSuspiciousCodesOperation = defineOperation({
  method: 'GET',
  url: '/v1/public-checks/suspicious',
  operationId: 'listSuspiciousCodes',
  summary:
    'Codes checked from too many client networks or too often (regulator): possibly copied codes',
  tag: 'public',
  roles: ['regulator'],
  query: z.object({ limit: integerParameter(1, 1000).default(100) }),
  answers: {
    200: {
      description: 'Most recently checked first',
      schema: z.array(suspiciousCodeSchema),
    },
  },
  errors: [400, 403],
  audit: suspiciousListed,
});
