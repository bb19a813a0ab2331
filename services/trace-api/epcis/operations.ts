/**
 * The EPCIS query interface's contract (EPCIS 2.0 REST binding, docs/epcis.md): GET /epcis/events
 * with the query parameters Suyuan answers, and GET /epcis/events/{eventID}, each with its
 * schemas and what the audit trail records of it. query-routes.ts mounts them.
 */
import { z } from 'zod';
import { epcisQueryDocumentSchema } from '../../common/api/epcis.js';
import { evidenceFlag } from '../../common/api/proofs.js';
import { hasRole, idOf, stringFields, type AuditRule } from '../../common/audit/audit-policy.js';
import {
  parseEpcisQuery,
  queryParameters,
  QueryParameterError,
} from '../../common/epcis/query-params.js';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from '../../common/epcis/rest-binding.js';
import {
  defineOperation,
  documentedAs,
  idParameter,
  integerParameter,
} from '../../common/http/operations.js';

const TAG = 'epcis';

/**
 * A value of a parameter: several separated by `|` (or the parameter repeated), read and checked
 * against its pattern by parseEpcisQuery; documented as the one string with that pattern.
 */
const values = z.union([z.string(), z.array(z.string())]);

const documented = Object.fromEntries(
  Object.entries(queryParameters()).map(([name, { description, pattern }]) => [
    name,
    documentedAs(values, { type: 'string', pattern }).optional().meta({ description }),
  ]),
);

/**
 * The query: the parameters documented one by one, read together by parseEpcisQuery (which
 * names a parameter Suyuan does not answer rather than ignore it, as an ignored filter would
 * answer more than was asked).
 */
const epcisQuerySchema = z
  .looseObject({
    ...documented,
    perPage: integerParameter(1, MAX_PER_PAGE).default(DEFAULT_PER_PAGE),
    nextPageToken: z.string().optional().meta({
      description: 'From the Link: rel="next" header of the page before (base64url)',
      pattern: '^[A-Za-z0-9_-]+$',
    }),
    // Not an EPCIS query parameter: Suyuan's own, as on the recall report and the trace. The
    // answer carries the page's evidence under `suyuan:evidence`, an extension member the
    // standard allows (docs/proofs.md); a client that does not ask gets the plain document.
    evidence: evidenceFlag,
  })
  .transform(({ perPage, nextPageToken, evidence, ...parameters }, context) => {
    try {
      return { perPage, nextPageToken, evidence, query: parseEpcisQuery(parameters) };
    } catch (error) {
      if (!(error instanceof QueryParameterError)) throw error;
      context.addIssue({ code: 'custom', path: [error.parameter], message: error.message });
      return z.NEVER;
    }
  });

const ld = (description: string) => ({
  description,
  content: { 'application/ld+json': epcisQueryDocumentSchema },
});

/** Like a trace query: a regulator's (or admin's) reads are recorded, with their filters. */
const queried =
  (target: (params: Readonly<Record<string, unknown>>) => string): AuditRule =>
  (request) =>
    hasRole(request, 'regulator') || hasRole(request, 'admin')
      ? {
          action: 'epcis.query',
          target: target(request.params),
          detail: stringFields(request.query, [...Object.keys(queryParameters()), 'evidence']),
        }
      : undefined;

export const queryEventsOperation = defineOperation({
  method: 'GET',
  url: '/epcis/events',
  operationId: 'queryEpcisEvents',
  summary: 'EPCIS events, captured and native, matching the query: an EPCISQueryDocument, paged',
  description:
    'Event-time order; perPage events a page and a Link: rel="next" header while more match. ' +
    'A party that is not a regulator sees the events one step around what it handled.',
  tag: TAG,
  query: epcisQuerySchema,
  answers: { 200: ld('The events') },
  errors: [400, 403],
  audit: queried(() => ''),
});

export const getEventOperation = defineOperation({
  method: 'GET',
  url: '/epcis/events/:eventID',
  operationId: 'getEpcisEvent',
  summary: 'One EPCIS event by its eventID (URL-encoded), as an EPCISQueryDocument',
  tag: TAG,
  params: z.strictObject({ eventID: idParameter }),
  answers: { 200: ld('The event') },
  errors: [404],
  audit: queried((params) => idOf(params.eventID)),
});
