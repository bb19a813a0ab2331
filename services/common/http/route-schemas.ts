/**
 * The OpenAPI description of every route (DESIGN §6), as JSON Schema. These schemas document;
 * they never validate or serialise (http-app.ts turns Fastify's compilers off): the handlers
 * validate with zod, so that a refusal names the field. Request bodies are generated from those
 * same zod schemas, so the document cannot drift from what the handlers accept.
 */
import type { FastifySchema } from 'fastify';
import type { z } from 'zod';
import { ROLES } from '../access/party-directory.js';
import {
  arrayOf,
  bool,
  enumOf,
  fromZod,
  id,
  int,
  nullable,
  object,
  ref,
  str,
  time,
  type JsonSchema,
} from './openapi-components.js';

const ERROR_DESCRIPTIONS = {
  400: 'Invalid input: `details` names each field',
  401: 'No API key, or an unknown or revoked one',
  403: "The caller's roles or party do not allow this",
  404: 'Not found',
  409: 'Conflicts with what is already recorded',
  413: 'The body is larger than the limit',
  429: 'Too many requests: retry after `retry-after` seconds',
  503: 'The log or the store is unavailable, or the server is stopping: retry',
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** The error answers of an authenticated route: these, and always 401, 429 and 503. */
function errors(...statuses: ErrorStatus[]): Record<number, JsonSchema> {
  const all = [...new Set<ErrorStatus>([...statuses, 401, 429, 503])].sort();
  return Object.fromEntries(
    all.map((status) => [status, { description: ERROR_DESCRIPTIONS[status], ...ref('Error') }]),
  );
}

const params = (...names: string[]): JsonSchema =>
  object(Object.fromEntries(names.map((name) => [name, id])));

export const postEventsSchema: FastifySchema = {
  tags: ['events'],
  summary: 'Record events: one event, or { events: [...] } (1-1000), written all or nothing',
  body: { oneOf: [ref('Event'), ref('EventBatch')] },
  response: {
    202: {
      description: 'Durably in the log',
      ...object(
        {
          results: arrayOf(object({ eventId: str, status: enumOf(['accepted', 'duplicate']) })),
          warnings: arrayOf(
            object({ index: int, eventId: str, recallIds: arrayOf(str), message: str }),
          ),
        },
        ['warnings'],
      ),
    },
    ...errors(400, 403, 409, 413),
  },
};

const newKey = { partyId: str, keyId: str, apiKey: { ...str, description: 'Shown only once' } };

type Properties = Record<string, JsonSchema & { properties?: Properties }>;

/** The party body from zod, plus what its refinements check and JSON Schema can say. */
function partyBody(body: z.ZodType): JsonSchema {
  const json = fromZod(body);
  const properties = json.properties as Properties;
  if (properties.roles) properties.roles.uniqueItems = true;
  const url = properties.webhook?.properties?.url;
  if (url) url.pattern = '^https?://';
  return json;
}

/** POST /v1/parties; the body is documented from the zod schema the handler validates with. */
export const postPartySchema = (body: z.ZodType): FastifySchema => ({
  tags: ['parties'],
  summary: `Register a party (admin); roles: ${ROLES.join(', ')}`,
  body: partyBody(body),
  response: {
    201: {
      description: 'The party and its first API key (and webhook secret), shown only once',
      ...object({ ...newKey, webhookSecret: str }, ['webhookSecret']),
    },
    ...errors(400, 403, 409, 413),
  },
});

export const postPartyKeySchema: FastifySchema = {
  tags: ['parties'],
  summary: 'Issue a further API key to a party (admin): rotation',
  params: params('partyId'),
  response: {
    201: { description: 'The new key, shown only once', ...object(newKey) },
    ...errors(403, 404),
  },
};

export const listPartyKeysSchema: FastifySchema = {
  tags: ['parties'],
  summary: "A party's API keys, without secrets (admin)",
  params: params('partyId'),
  response: {
    200: {
      description: 'The keys, oldest first',
      ...arrayOf(object({ keyId: str, createdAt: time, revokedAt: nullable(time) })),
    },
    ...errors(403),
  },
};

export const revokePartyKeySchema: FastifySchema = {
  tags: ['parties'],
  summary: 'Revoke an API key at once (admin)',
  params: params('partyId', 'keyId'),
  response: { 204: { description: 'Revoked', type: 'null' }, ...errors(403, 404) },
};

export const getBatchSchema: FastifySchema = {
  tags: ['batches'],
  summary: 'A batch and its timeline of events (retracted ones marked)',
  params: params('batchId'),
  response: { 200: { description: 'The batch', ...ref('Batch') }, ...errors(403, 404) },
};

const upTo = (maximum: number, setting: string) => ({
  ...int,
  minimum: 1,
  maximum,
  description: `Default and ceiling: ${maximum} (${setting})`,
});

/** GET /v1/batches/{batchId}/trace, with the ceilings this platform is configured with. */
export const getTraceSchema = (limits: {
  readonly maxDepth: number;
  readonly maxNodes: number;
}): FastifySchema => ({
  tags: ['batches'],
  summary: 'The trace chain of a batch: upstream to its origins, downstream to every holder',
  params: params('batchId'),
  querystring: {
    type: 'object',
    properties: {
      direction: { ...enumOf(['upstream', 'downstream', 'both']), default: 'both' },
      maxDepth: upTo(limits.maxDepth, 'TRACE_MAX_DEPTH'),
      maxNodes: upTo(limits.maxNodes, 'TRACE_MAX_NODES'),
    },
  },
  response: { 200: { description: 'The trace', ...ref('Trace') }, ...errors(400, 403, 404) },
});

export const listRecallsSchema: FastifySchema = {
  tags: ['recalls'],
  summary: 'The recalls the caller may see, newest first',
  querystring: {
    type: 'object',
    properties: { batchId: id, status: enumOf(['open', 'closed']) },
  },
  response: { 200: { description: 'Recalls', ...arrayOf(ref('Recall')) }, ...errors(400) },
};

export const getRecallSchema: FastifySchema = {
  tags: ['recalls'],
  summary: 'A recall and its progress',
  params: params('recallId'),
  response: { 200: { description: 'The recall', ...ref('Recall') }, ...errors(403, 404) },
};

export const listRecallNoticesSchema: FastifySchema = {
  tags: ['recalls'],
  summary: "A recall's notices (a recipient sees only its own)",
  params: params('recallId'),
  response: { 200: { description: 'Notices', ...arrayOf(ref('Notice')) }, ...errors(403, 404) },
};

export const getRecallReportSchema: FastifySchema = {
  tags: ['recalls'],
  summary: 'The summary report of a recall (召回总结), as JSON or CSV',
  params: params('recallId'),
  querystring: {
    type: 'object',
    properties: { format: { ...enumOf(['json', 'csv']), default: 'json' } },
  },
  response: {
    200: {
      description: 'The report',
      content: {
        'application/json': { schema: ref('RecallReport') },
        'text/csv': { schema: str },
      },
    },
    ...errors(400, 403, 404),
  },
};

/** POST /v1/recalls/mock; the body is documented from the zod schema the handler validates with. */
export const mockRecallSchema = (body: z.ZodType): FastifySchema => ({
  tags: ['recalls'],
  summary: 'Mock recall (演练): what a recall of these batches would reach, issuing nothing',
  body: fromZod(body),
  response: {
    200: {
      description: 'The reach',
      ...object({
        rootBatchIds: arrayOf(str),
        affectedBatchIds: arrayOf(str),
        parties: arrayOf(
          object({ partyId: str, name: nullable(str), batches: arrayOf(ref('NoticeLine')) }),
        ),
        truncated: bool,
        elapsedMs: int,
      }),
    },
    ...errors(400, 403, 413),
  },
});

export const listOwnNoticesSchema: FastifySchema = {
  tags: ['recalls'],
  summary: "The calling party's own recall notices",
  response: { 200: { description: 'Notices', ...arrayOf(ref('Notice')) }, ...errors() },
};

const probe = (summary: string, answers: Record<number, string>): FastifySchema => ({
  tags: ['probes'],
  summary,
  security: [],
  response: Object.fromEntries(
    Object.entries(answers).map(([status, description]) => [
      status,
      { description, type: 'object', properties: { status: str }, required: ['status'] },
    ]),
  ),
});

export const healthzSchema = probe('Liveness (no API key)', { 200: 'Alive' });
export const readyzSchema = probe(
  'Readiness: the log and the store answer, and no consumer of this process is stalled or failed (no API key)',
  {
    200: 'Ready; `consumers` says whether each log consumer is `joining` its group or `consuming`',
    503:
      'Not ready; `checks` says which dependency failed or which consumer is stalled and why, ' +
      '`consumers` which consumer `failed`',
  },
);
