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
 * What a webhook URL may be, as one pattern that the handler checks and the document states:
 * `http(s)://`, optional user info, a host, an optional port, then only URI characters
 * (RFC 3986). The host is a DNS name (letters, digits and hyphens; an internationalised name in
 * punycode, xn--…), a dotted IPv4 address or a bracketed IPv6 one (RFC 3986's grammar). A DNS
 * name's last label starts with a letter: a URL parser reads a host ending in a number as an IPv4
 * address ("http://0" is 0.0.0.0), so such a host is written as one. Every string of this form is a
 * URL the notifier can post to, and is posted to exactly as registered (ASCII only).
 */
const H16 = '[0-9A-Fa-f]{1,4}';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const LS32 = `(?:${H16}:${H16}|${IPV4})`;
/** Up to n+1 groups before "::". */
const head = (n: number) => `(?:(?:${H16}:){0,${n}}${H16})?`;
const IPV6 = [
  `(?:${H16}:){6}${LS32}`,
  `::(?:${H16}:){5}${LS32}`,
  `${head(0)}::(?:${H16}:){4}${LS32}`,
  `${head(1)}::(?:${H16}:){3}${LS32}`,
  `${head(2)}::(?:${H16}:){2}${LS32}`,
  `${head(3)}::${H16}:${LS32}`,
  `${head(4)}::${LS32}`,
  `${head(5)}::${H16}`,
  `${head(6)}::`,
].join('|');
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const LAST_LABEL = '[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST = `(?:(?:${LABEL}\\.)*${LAST_LABEL}\\.?|${IPV4}|\\[(?:${IPV6})\\])`;
const PORT = '(?:[1-5]?[0-9]{1,4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';
const USER_INFO = "[A-Za-z0-9\\-._~!$&'()*+,;=:%]*@";
const REST = "[/?#][A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]*";
export const WEBHOOK_URL = new RegExp(
  `^https?://(?:${USER_INFO})?${HOST}(?::${PORT})?(?:${REST})?$`,
);

export const newPartySchema = z.strictObject({
  partyId: z.string().regex(PARTY_ID, 'must be 1-128 letters, digits, ".", "_", ":" or "-"'),
  name: z.string().min(1, 'must not be empty').max(256),
  roles: z
    .array(z.enum(ROLES))
    .min(1, 'must hold at least one role')
    .refine((roles) => new Set(roles).size === roles.length, 'must not repeat a role'),
  webhook: z
    .strictObject({
      // Checked as sent: z.url() would trim it first, so that " http://a" passed as "http://a".
      url: z
        .string()
        .max(2048)
        .regex(
          WEBHOOK_URL,
          'must be an http(s) URL of a DNS name, an IPv4 or a [IPv6] address, in ASCII (a host in punycode, xn--…)',
        )
        // The one thing the pattern cannot check: an xn-- label must be valid punycode.
        .refine((url) => URL.canParse(url), 'must be an http(s) URL'),
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
