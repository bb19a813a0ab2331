/**
 * Parties and their API keys; every route is the admin's. Keys are shown once, when issued.
 */
import type { FastifyInstance } from 'fastify';
import type { FastifyRequest } from 'fastify';
import type { PartyDirectory } from '../common/access/party-directory.js';
import type { PublicProfiles } from '../common/access/public-profiles.js';
import { SuyuanError } from '../common/errors.js';
import { mountOperation } from '../common/http/operations.js';
import { invalidField } from '../common/invalid-input.js';
import { checkWebhookTarget } from '../common/webhooks/webhook-target.js';
import {
  clearPublicProfileOperation,
  createPartyOperation,
  getPublicProfileOperation,
  setPublicProfileOperation,
  issueKeyOperation,
  listKeysOperation,
  revokeKeyOperation,
  setPartyRegionOperation,
} from './operations.js';

export interface PartyRouteDeps {
  readonly parties: PartyDirectory;
  readonly publicProfiles: PublicProfiles;
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
  /** The party itself or an admin, and the party must exist: 403 before 404 for anyone else. */
  const profileOwner = async (request: FastifyRequest, partyId: string) => {
    const { caller } = request;
    if (caller.partyId !== partyId && !caller.roles.includes('admin')) {
      throw new SuyuanError('forbidden', 'partyId: only the party itself or an admin');
    }
    if ((await deps.parties.find([partyId])).size === 0) {
      throw new SuyuanError('not_found', `partyId: no party ${partyId}`);
    }
  };
  mountOperation(app, setPublicProfileOperation, async ({ request, params, body }) => {
    await profileOwner(request, params.partyId);
    await deps.publicProfiles.set(params.partyId, body);
    return { partyId: params.partyId, publicProfile: body };
  });
  mountOperation(app, clearPublicProfileOperation, async ({ request, params }) => {
    await profileOwner(request, params.partyId);
    await deps.publicProfiles.set(params.partyId, null);
    return { partyId: params.partyId, publicProfile: null };
  });
  mountOperation(app, getPublicProfileOperation, async ({ request, params }) => {
    await profileOwner(request, params.partyId);
    const found = await deps.publicProfiles.find([params.partyId]);
    return { partyId: params.partyId, publicProfile: found.get(params.partyId) ?? null };
  });
  mountOperation(app, setPartyRegionOperation, async ({ params, body }) => {
    await deps.parties.setRegion(params.partyId, body.region);
    return { partyId: params.partyId, region: body.region };
  });
  mountOperation(app, revokeKeyOperation, async ({ reply, params }) => {
    await deps.parties.revokeKey(params.partyId, params.keyId);
    return reply.status(204).send();
  });
}
