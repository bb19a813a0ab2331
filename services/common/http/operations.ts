/**
 * The HTTP contract, written once per route: an operation names its route, its request and
 * answer schemas (zod) and its audit rule. Mounting one registers the route on Fastify, checks
 * the request against those schemas (a refusal names the field, invalid-input.ts), documents
 * everything in the OpenAPI document (openapi.ts), and hands the audit rule to the audit trail.
 * Each service mounts its own operations, so `common` learns of routes only at run time.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';
import type { Role } from '../access/party-directory.js';
import { errorSchema } from '../api/error.js';
import type { AuditRule } from '../audit/audit-policy.js';
import { fieldIssues, invalidInput } from '../invalid-input.js';
import { requireRole } from './authenticate.js';

export type JsonSchema = Record<string, unknown>;

const ERROR_DESCRIPTIONS = {
  400: 'Invalid input: `details` names each field',
  401: 'No API key, or an unknown or revoked one',
  403: "The caller's roles or party do not allow this",
  404: 'Not found',
  409: 'Conflicts with what is already recorded',
  413: 'The body is larger than the limit (after decoding its Content-Encoding)',
  414: 'A path parameter is longer than any id',
  415: 'The body is not JSON in UTF-8: another media type or charset, or an unknown Content-Encoding',
  429: 'Too many requests: retry after `retry-after` seconds',
  503: 'The log or the store is unavailable, or the server is stopping: retry',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** A successful answer: a JSON body, a body per media type, or none (204). */
export interface Answer {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly content?: Readonly<Record<string, z.ZodType>>;
}

export interface Operation<Params = unknown, Query = unknown, Body = unknown> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The Fastify route pattern: `/v1/batches/:batchId`. */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Served without an API key (the probes, the public check); every other operation needs one. */
  readonly public?: boolean;
  /**
   * Rate-limited by client address rather than by key (the public check: anyone may call it, so
   * the address is the only identity there is).
   */
  readonly limitedByAddress?: boolean;
  /** The roles of which the caller needs one; checked before the request is. */
  readonly roles?: readonly Role[];
  readonly params?: z.ZodType<Params>;
  readonly query?: z.ZodType<Query>;
  readonly body?: z.ZodType<Body>;
  /**
   * The handler checks the body itself and the schema only documents it: POST /v1/events names
   * each refused event by its index, which a schema cannot.
   */
  readonly bodyCheckedByHandler?: boolean;
  readonly answers: Readonly<Record<number, Answer>>;
  /**
   * The errors it may answer besides 401, 429 and 503, which every keyed operation may, and those
   * added for a body (400, 413, 415) and a path parameter (414).
   */
  readonly errors?: readonly ErrorStatus[];
  /**
   * Errors it may also answer as an HTML page (text/html) instead of JSON: the public check
   * answers a browser's bad or unknown code with a page.
   */
  readonly errorPages?: readonly ErrorStatus[];
  /** What the audit trail records of a finished request (audit-policy.ts). */
  readonly audit?: AuditRule;
  /** Part of the admin surface: a request under its path that no route answers is audited. */
  readonly adminSurface?: boolean;
}

/** Infers an operation's parameter, query and body types from its schemas. */
export const defineOperation = <P = unknown, Q = unknown, B = unknown>(
  operation: Operation<P, Q, B>,
): Operation<P, Q, B> => operation;

export interface OperationInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** `components.schemas` of the OpenAPI document, filled as operations are mounted. */
    openApiComponents: Record<string, JsonSchema>;
  }
  interface FastifyContextConfig {
    audit?: AuditRule;
    adminSurface?: boolean;
    /** Served without an API key. */
    public?: boolean;
    /** Rate-limited by client address (rate-limit.ts). */
    limitedByAddress?: boolean;
  }
}

/** A request part checked against its schema; a refusal is a 400 naming each field. */
export function parseInput<T>(schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(fieldIssues(result.error));
  return result.data;
}

export function mountOperation<P, Q, B>(
  app: FastifyInstance,
  operation: Operation<P, Q, B>,
  handler: (input: OperationInput<P, Q, B>) => unknown,
  /** Route hooks of its own (POST /v1/events counts its refusals in `onError`). */
  hooks: Pick<RouteShorthandOptions, 'onError'> = {},
): void {
  app.route({
    ...hooks,
    method: operation.method,
    url: operation.url,
    // An app without the document (the gateway's own probes) documents into nothing.
    schema: documentOf(
      operation,
      app.hasDecorator('openApiComponents') ? app.openApiComponents : {},
    ),
    config: {
      audit: operation.audit,
      adminSurface: operation.adminSurface,
      public: operation.public === true,
      limitedByAddress: operation.limitedByAddress === true,
    },
    handler: async (request, reply) => {
      if (operation.roles) requireRole(request, ...operation.roles);
      const params = parseInput(operation.params, request.params);
      const query = parseInput(operation.query, request.query);
      const body = operation.bodyCheckedByHandler
        ? (request.body as B)
        : parseInput(operation.body, request.body ?? {});
      return handler({ params, query, body, request, reply });
    },
  });
}

/** The route's OpenAPI description; named schemas it reaches join `components`. */
function documentOf(operation: Operation, components: Record<string, JsonSchema>): JsonSchema {
  const json = (schema: z.ZodType | undefined, io: 'input' | 'output') =>
    schema && toOpenApi(schema, io, components);
  const answers = Object.entries(operation.answers).map(([status, answer]) => [
    status,
    answerDocument(answer, (schema) => toOpenApi(schema, 'output', components)),
  ]);
  const errors = [
    ...new Set<ErrorStatus>([
      ...(operation.errors ?? []),
      ...(operation.public ? [] : ([401, 429, 503] as const)),
      // What the common engines answer for any body and any path parameter (request-body.ts).
      ...(operation.body ? ([400, 413, 415] as const) : []),
      ...(operation.url.includes('/:') ? ([414] as const) : []),
    ]),
  ].sort();
  const error = toOpenApi(errorSchema, 'output', components);
  const errorAnswer = (status: ErrorStatus) =>
    operation.errorPages?.includes(status)
      ? {
          description: ERROR_DESCRIPTIONS[status],
          content: {
            'application/json': { schema: error },
            'text/html': { schema: { type: 'string', description: 'A page saying what is wrong' } },
          },
        }
      : { description: ERROR_DESCRIPTIONS[status], ...error };
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    ...(operation.public ? { security: [] } : {}),
    ...(operation.params ? { params: json(operation.params, 'input') } : {}),
    ...(operation.query ? { querystring: json(operation.query, 'input') } : {}),
    ...(operation.body ? { body: json(operation.body, 'input') } : {}),
    response: Object.fromEntries([
      ...answers,
      ...errors.map((status) => [status, errorAnswer(status)]),
    ]),
  };
}

function answerDocument(answer: Answer, json: (schema: z.ZodType) => JsonSchema): JsonSchema {
  if (answer.content) {
    const content = Object.entries(answer.content).map(([type, schema]) => [
      type,
      { schema: json(schema) },
    ]);
    return { description: answer.description, content: Object.fromEntries(content) };
  }
  if (!answer.schema) return { description: answer.description, type: 'null' };
  return { description: answer.description, ...json(answer.schema) };
}

const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/** Schemas the document states by a JSON Schema of their own (documentedAs). */
const DOCUMENTED_AS = new WeakMap<z.ZodType, JsonSchema>();

/**
 * The schema, documented as `json`: for a value the handler reads in a form zod does not describe
 * (a query parameter given once or repeated, checked against a pattern by its reader), so the
 * document states the rule the reader keeps.
 */
export function documentedAs<T extends z.ZodType>(schema: T, json: JsonSchema): T {
  const documented = schema.clone();
  DOCUMENTED_AS.set(documented, json);
  return documented;
}

/**
 * A zod schema as OpenAPI 3.0 JSON Schema: what a request may be (`input`) or what an answer is
 * (`output`). A schema named with `.meta({ id })` becomes a component, referenced by `$ref`; the
 * same name must always mean the same schema.
 */
export function toOpenApi(
  schema: z.ZodType,
  io: 'input' | 'output',
  components: Record<string, JsonSchema>,
): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const schema = jsonSchema as JsonSchema;
      const own = DOCUMENTED_AS.get(zodSchema as unknown as z.ZodType);
      if (own) {
        for (const key of Object.keys(schema)) delete schema[key];
        Object.assign(schema, structuredClone(own));
      }
      // An integer query parameter is checked as digits, then documented as the integer it is.
      if (schema.type === 'integer') delete schema.pattern;
      for (const bound of ['minimum', 'maximum']) {
        if (SAFE_INTEGER_BOUNDS.has(schema[bound] as number)) delete schema[bound];
      }
    },
  }) as JsonSchema;
  const { definitions, ...rest } = json as JsonSchema & { definitions?: Record<string, unknown> };
  for (const [name, definition] of Object.entries(definitions ?? {})) {
    const component = withComponentRefs(definition) as JsonSchema;
    const known = components[name];
    if (known && JSON.stringify(known) !== JSON.stringify(component)) {
      throw new Error(`OpenAPI component ${name} is defined twice, differently`);
    }
    components[name] = component;
  }
  return withComponentRefs(rest) as JsonSchema;
}

function withComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withComponentRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string'
        ? inner.replace('#/definitions/', '#/components/schemas/')
        : withComponentRefs(inner),
    ]),
  );
}

/**
 * An integer query parameter from `min` to `max`: digits only (no `0x10`, no `1e3`, no spaces),
 * documented as the integer it is.
 */
export function integerParameter(min: number, max: number, description?: string) {
  const message = `must be an integer from ${min} to ${max}`;
  // Nine digits, or as many as the largest value has: the bound, not the length, decides.
  const digits = Math.max(String(max).length, 9);
  return z
    .string({ error: message })
    .regex(new RegExp(`^\\d{1,${digits}}$`), message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message))
    .meta({ type: 'integer', minimum: min, maximum: max, ...(description ? { description } : {}) });
}

/** A path parameter: one non-empty id. */
export const idParameter = z.string().min(1, 'must not be empty');

/**
 * The characters JavaScript's `trim()` removes, written out: the document's regex is read by other
 * engines (Schemathesis's Python), whose `\s` differs (U+FEFF, U+001C-U+001F).
 */
const TRIMMED =
  '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** Holds a character that `trim()` keeps. */
export const NOT_BLANK = new RegExp(`[^${TRIMMED}]`);

/**
 * Text the handler trims, checked as sent and documented so: at most `max` characters, not blank
 * (a pattern the document states; `minLength` would let "  " pass it), then trimmed. A required
 * field that is absent is refused with `missing`.
 */
export function trimmedText(max: number, message: string, missing = message) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? missing : message) })
    .max(max, message)
    .regex(NOT_BLANK, message)
    .transform((text) => text.trim());
}
