/**
 * Parties and their API keys; every route is the admin's. Keys are shown once, when issued.
 */
import type { FastifyInstance } from 'fastify';
import type { PartyDirectory } from '../common/access/party-directory.js';
import { mountOperation } from '../common/http/operations.js';
import { invalidField } from '../common/invalid-input.js';
import { checkWebhookTarget } from '../common/webhooks/webhook-target.js';
import {
  createPartyOperation,
  issueKeyOperation,
  listKeysOperation,
  revokeKeyOperation,
} from './operations.js';

export interface PartyRouteDeps {
  readonly parties: PartyDirectory;
  /** Lets webhooks point at loopback and private addresses (local use and tests). */
  readonly allowPrivateWebhooks: boolean;
}

/** Refuses a webhook that resolves to a loopback or private address, unless allowed. */
async function checkWebhook(url: string, allowPrivate: boolean): Promise<void> {
  const target = await checkWebhookTarget(url, { allowPrivate });
  // A name that does not resolve today is not refused: delivery checks again every time.
  if (!target.allowed && target.permanent) throw invalidField('webhook.url', target.reason);
}

export function registerPartyRoutes(app: FastifyInstance, deps: PartyRouteDeps): void {
  mountOperation(app, createPartyOperation, async ({ reply, body: party }) => {
    if (party.webhook) await checkWebhook(party.webhook.url, deps.allowPrivateWebhooks);
    return reply.status(201).send(await deps.parties.create(party));
  });
  mountOperation(app, issueKeyOperation, async ({ reply, params }) => {
    return reply.status(201).send(await deps.parties.issueKey(params.partyId));
  });
  mountOperation(app, listKeysOperation, async ({ params }) => {
    return deps.parties.listKeys(params.partyId);
  });
  mountOperation(app, revokeKeyOperation, async ({ reply, params }) => {
    await deps.parties.revokeKey(params.partyId, params.keyId);
    return reply.status(204).send();
  });
}
