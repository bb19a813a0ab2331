/**
 * Parties and their API keys; every route is the admin's. Keys are shown once, when issued.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ROLES, type PartyDirectory } from '../common/access/party-directory.js';
import { SuyuanError } from '../common/errors.js';
import { requireRole } from '../common/http/authenticate.js';
import {
  listPartyKeysSchema,
  postPartyKeySchema,
  postPartySchema,
  revokePartyKeySchema,
} from '../common/http/route-schemas.js';
import { checkWebhookTarget } from '../recall/notifier/webhook-target.js';
import { formatPath } from './parse-submission.js';

export interface PartyRouteDeps {
  readonly parties: PartyDirectory;
  /** Lets webhooks point at loopback and private addresses (local use and tests). */
  readonly allowPrivateWebhooks: boolean;
}

const PARTY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/**
 * The characters of a URI (RFC 3986: unreserved, reserved, percent signs). A URL parser accepts
 * more (it would encode an IRI's non-ASCII host), but the document promises a URI, and the
 * receiver is named exactly as registered.
 */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

export const newPartySchema = z.strictObject({
  partyId: z.string().regex(PARTY_ID, 'must be 1-128 letters, digits, ".", "_", ":" or "-"'),
  name: z.string().min(1, 'must not be empty').max(256),
  roles: z
    .array(z.enum(ROLES))
    .min(1, 'must hold at least one role')
    .refine((roles) => new Set(roles).size === roles.length, 'must not repeat a role'),
  webhook: z
    .strictObject({
      url: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
        .max(2048)
        .regex(
          URI_CHARACTERS,
          'must be a URI: ASCII only, an internationalised host in punycode (xn--…)',
        ),
      secret: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
    })
    .optional(),
});

function parseOrThrow<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
  throw new SuyuanError(
    'invalid_request',
    `${details[0]?.path || 'body'}: ${details[0]?.message}`,
    {
      details,
    },
  );
}

/** Refuses a webhook that resolves to a loopback or private address, unless allowed. */
async function checkWebhook(url: string, allowPrivate: boolean): Promise<void> {
  const target = await checkWebhookTarget(url, { allowPrivate });
  // A name that does not resolve today is not refused: delivery checks again every time.
  if (!target.allowed && target.permanent) {
    throw new SuyuanError('invalid_request', `webhook.url: ${target.reason}`, {
      details: [{ path: 'webhook.url', message: target.reason }],
    });
  }
}

interface PartyParams {
  Params: { partyId: string };
}
interface KeyParams {
  Params: { partyId: string; keyId: string };
}

export function registerPartyRoutes(app: FastifyInstance, deps: PartyRouteDeps): void {
  app.post('/v1/parties', { schema: postPartySchema(newPartySchema) }, async (request, reply) => {
    requireRole(request, 'admin');
    const party = parseOrThrow(newPartySchema, request.body);
    if (party.webhook) await checkWebhook(party.webhook.url, deps.allowPrivateWebhooks);
    return reply.status(201).send(await deps.parties.create(party));
  });

  app.post<PartyParams>(
    '/v1/parties/:partyId/keys',
    { schema: postPartyKeySchema },
    async (request, reply) => {
      requireRole(request, 'admin');
      return reply.status(201).send(await deps.parties.issueKey(request.params.partyId));
    },
  );

  app.get<PartyParams>(
    '/v1/parties/:partyId/keys',
    { schema: listPartyKeysSchema },
    async (request) => {
      requireRole(request, 'admin');
      return deps.parties.listKeys(request.params.partyId);
    },
  );

  app.delete<KeyParams>(
    '/v1/parties/:partyId/keys/:keyId',
    { schema: revokePartyKeySchema },
    async (request, reply) => {
      requireRole(request, 'admin');
      await deps.parties.revokeKey(request.params.partyId, request.params.keyId);
      return reply.status(204).send();
    },
  );
}
