/**
 * The ingest service's contract: POST /v1/events with every event type as posted, and the admin's
 * party and key routes, each with its schemas and what the audit trail records of it. routes.ts
 * and party-routes.ts mount them with their handlers.
 */
import { z } from 'zod';
import { STANDARD_WEBHOOK_SECRET, WEBHOOK_SECRET_FORM } from '../common/access/api-keys.js';
import { ROLES } from '../common/access/party-directory.js';
import { ingestAnswerSchema } from '../common/api/ingest.js';
import {
  apiKeyInfoSchema,
  newKeySchema,
  newPartySchema,
  partyRegionSchema,
  publicProfileAnswerSchema,
} from '../common/api/parties.js';
import {
  distinct,
  field,
  hasRole,
  idOf,
  ids,
  type AuditedRequest,
  type AuditAction,
} from '../common/audit/audit-policy.js';
import { registrableIdentifier } from '../common/epcis/party-identifiers.js';
import { defineOperation, idParameter } from '../common/http/operations.js';
import { webhookUrlSchema } from '../common/webhooks/webhook-url.js';
import { administrativeDivision, SUBMITTED_EVENT_SCHEMAS } from './event-schemas.js';
import { MAX_EVENTS_PER_REQUEST } from './parse-submission.js';

const eventTypes = Object.keys(SUBMITTED_EVENT_SCHEMAS);

/**
 * Each event type as posted: its fields and the `eventType` tag. (`party` may also be sent, but
 * only as the caller's own id, which a schema cannot say; so it is left out here.)
 */
const postedEvents = Object.entries(SUBMITTED_EVENT_SCHEMAS).map(([eventType, schema]) =>
  z
    .strictObject({ eventType: z.literal(eventType), ...(schema as z.ZodObject).shape })
    .meta({ id: eventType }),
);

const eventSchema = z
  .discriminatedUnion('eventType', postedEvents as unknown as [z.ZodObject, ...z.ZodObject[]])
  .meta({
    id: 'Event',
    description:
      'One event, tagged by `eventType`. It may name `party` only as the calling party: the ' +
      "acting party is the API key's (another answers 403). Unknown fields are refused.",
    discriminator: {
      propertyName: 'eventType',
      mapping: Object.fromEntries(eventTypes.map((type) => [type, `#/components/schemas/${type}`])),
    },
  });

const eventBatchSchema = z
  .strictObject({ events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_REQUEST) })
  .meta({ id: 'EventBatch' });

/** The recall events whose submission is a recall action. */
export const RECALL_ACTION_EVENT_TYPES: readonly string[] = [
  'RecallInitiated',
  'RecallClosed',
  'RecallAcknowledged',
  'RecallProgressReported',
];

function submittedList(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  if (!('events' in body)) return [body];
  return Array.isArray(body.events) ? body.events.slice(0, MAX_EVENTS_PER_REQUEST) : [];
}

/** A submission holding recall events is a recall action; other submissions only an admin's. */
function submittedEvents(request: AuditedRequest): AuditAction | undefined {
  const events = submittedList(request.body);
  const eventTypes = distinct(ids(events.map((event) => field(event, 'eventType'))));
  const recallEvents = events.filter((event) =>
    RECALL_ACTION_EVENT_TYPES.includes(idOf(field(event, 'eventType'))),
  );
  if (recallEvents.length === 0) {
    return hasRole(request, 'admin')
      ? { action: 'events.submit', target: '', detail: { eventTypes } }
      : undefined;
  }
  const recallIds = distinct(ids(recallEvents.map((event) => field(event, 'recallId'))));
  const noticeIds = distinct(ids(recallEvents.map((event) => field(event, 'noticeId'))));
  return {
    action: 'recall.action',
    target: [...recallIds, ...noticeIds].join(','),
    detail: { eventTypes, recallIds, noticeIds },
  };
}

export const postEventsOperation = defineOperation({
  method: 'POST',
  url: '/v1/events',
  operationId: 'postEvents',
  summary: 'Record events: one event, or { events: [...] } (1-1000), written all or nothing',
  tag: 'events',
  body: z.union([eventSchema, eventBatchSchema]),
  // parse-submission.ts names each refused event by its index and id.
  bodyCheckedByHandler: true,
  answers: { 202: { description: 'Durably in the log', schema: ingestAnswerSchema } },
  errors: [400, 403, 409, 413],
  audit: submittedEvents,
});

const PARTY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The forms of a party identifier the document states: a PGLN as an EPC URN (12 digits of company
 * prefix and party reference) or a PGLN or location GLN as a GS1 Digital Link, or a 统一社会信用代码.
 * The handler reads more spellings (any Digital Link host and path prefix, SGLN URNs); the check
 * digit of a Digital Link's GLN and the USCC's check character are arithmetic no pattern states.
 */
const PARTY_IDENTIFIER =
  '^(urn:epc:id:pgln:(\\d{6}\\.\\d{6}|\\d{7}\\.\\d{5}|\\d{8}\\.\\d{4}|\\d{9}\\.\\d{3}|\\d{10}\\.\\d{2}|\\d{11}\\.\\d)' +
  '|https://id\\.gs1\\.org/41[47]/\\d{13}|urn:suyuan:uscc:[0-9A-HJ-NP-RTUW-Y]{18})$';

/** A party identifier as registered: its canonical key (epcis/party-identifiers.ts). */
const partyIdentifier = z
  .string()
  .max(256)
  .meta({ pattern: PARTY_IDENTIFIER })
  .transform((uri, context) => {
    const registrable = registrableIdentifier(uri);
    if ('key' in registrable) return registrable.key;
    context.addIssue({ code: 'custom', message: registrable.problem });
    return z.NEVER;
  });

export const newPartyBody = z.strictObject({
  partyId: z.string().regex(PARTY_ID, 'must be 1-128 letters, digits, ".", "_", ":" or "-"'),
  name: z.string().min(1, 'must not be empty').max(256),
  roles: z
    .array(z.enum(ROLES))
    .min(1, 'must hold at least one role')
    .refine((roles) => new Set(roles).size === roles.length, 'must not repeat a role')
    .meta({ uniqueItems: true }),
  identifiers: z
    .array(partyIdentifier)
    .max(50)
    .optional()
    .meta({
      description:
        'PGLN/GLN (urn:epc:id:pgln:…, urn:epc:id:sgln:…, https://id.gs1.org/417/… or /414/…) or ' +
        'urn:suyuan:uscc:<统一社会信用代码>; EPCIS sources and destinations find the party by them',
    }),
  region: administrativeDivision.optional().meta({
    description:
      "Where the party is: its administrative division's six-digit GB/T 2260 code (330106); " +
      'warnings count its batches under it when a production names no site region',
  }),
  webhook: z
    .strictObject({
      url: webhookUrlSchema,
      // One pattern, so that the document states the form it takes (Schemathesis found it unstated).
      secret: z
        .string()
        .max(256)
        .regex(
          STANDARD_WEBHOOK_SECRET,
          `must be ${WEBHOOK_SECRET_FORM}; leave it out to have one generated`,
        )
        .optional(),
    })
    .optional(),
});

const partyParams = z.strictObject({ partyId: idParameter });

export const createPartyOperation = defineOperation({
  method: 'POST',
  url: '/v1/parties',
  operationId: 'createParty',
  summary: `Register a party (admin); roles: ${ROLES.join(', ')}`,
  tag: 'parties',
  body: newPartyBody,
  answers: {
    201: {
      description: 'The party and its first API key (and webhook secret), shown only once',
      schema: newPartySchema,
    },
  },
  errors: [400, 403, 409, 413],
  roles: ['admin'],
  adminSurface: true,
  audit: (request) => ({
    action: 'admin.party.create',
    target: idOf(field(request.body, 'partyId')),
    detail: {
      roles: ids(field(request.body, 'roles')).filter((role) =>
        (ROLES as readonly string[]).includes(role),
      ),
    },
  }),
});

export const issueKeyOperation = defineOperation({
  method: 'POST',
  url: '/v1/parties/:partyId/keys',
  operationId: 'issuePartyKey',
  summary: 'Issue a further API key to a party (admin): rotation',
  tag: 'parties',
  params: partyParams,
  answers: { 201: { description: 'The new key, shown only once', schema: newKeySchema } },
  errors: [403, 404],
  roles: ['admin'],
  adminSurface: true,
  audit: (request) => ({
    action: 'admin.key.create',
    target: idOf(request.params.partyId),
    detail: {},
  }),
});

export const listKeysOperation = defineOperation({
  method: 'GET',
  url: '/v1/parties/:partyId/keys',
  operationId: 'listPartyKeys',
  summary: "A party's API keys, without secrets (admin)",
  tag: 'parties',
  params: partyParams,
  answers: { 200: { description: 'The keys, oldest first', schema: z.array(apiKeyInfoSchema) } },
  errors: [403],
  roles: ['admin'],
  adminSurface: true,
  audit: (request) => ({
    action: 'admin.key.list',
    target: idOf(request.params.partyId),
    detail: {},
  }),
});

export const revokeKeyOperation = defineOperation({
  method: 'DELETE',
  url: '/v1/parties/:partyId/keys/:keyId',
  operationId: 'revokePartyKey',
  summary: 'Revoke an API key at once (admin)',
  tag: 'parties',
  params: z.strictObject({ partyId: idParameter, keyId: idParameter }),
  answers: { 204: { description: 'Revoked' } },
  errors: [403, 404],
  roles: ['admin'],
  adminSurface: true,
  audit: (request) => ({
    action: 'admin.key.revoke',
    target: idOf(request.params.partyId),
    detail: { keyId: idOf(request.params.keyId) },
  }),
});

export const setPartyRegionOperation = defineOperation({
  method: 'PUT',
  url: '/v1/parties/:partyId/region',
  operationId: 'setPartyRegion',
  summary: "Change or clear a party's registered region (admin)",
  description:
    'The administrative division (GB/T 2260 code) the party is in, as registered with it; null ' +
    "clears it. Warnings count the party's batches under it when a production names no site region.",
  tag: 'parties',
  params: partyParams,
  body: z.strictObject({
    region: administrativeDivision.nullable().meta({ description: 'null: none' }),
  }),
  answers: { 200: { description: 'The region now registered', schema: partyRegionSchema } },
  errors: [400, 403, 404],
  roles: ['admin'],
  adminSurface: true,
  audit: (request) => ({
    action: 'admin.party.region.set',
    target: idOf(request.params.partyId),
    detail: { region: idOf(field(request.body, 'region')) },
  }),
});

const MAX_REGION_LENGTH = 100;

/** A public profile as sent: the region is trimmed, and blank or absent means none. */
const publicProfileBody = z.strictObject({
  showName: z.boolean({ error: 'must be true or false' }),
  region: z
    .string({ error: `must be text of at most ${MAX_REGION_LENGTH} characters, or null` })
    .max(MAX_REGION_LENGTH, `must be at most ${MAX_REGION_LENGTH} characters`)
    .nullable()
    .optional()
    .transform((region) => (region?.trim() ? region.trim() : null)),
});

/** The party itself or an admin sets what the public check shows; every change is audited. */
const publicProfileAudit =
  (
    action: 'party.public-profile.set' | 'party.public-profile.clear' | 'party.public-profile.read',
  ) =>
  (request: AuditedRequest): AuditAction => ({
    action,
    target: idOf(request.params.partyId),
    detail:
      action === 'party.public-profile.set'
        ? { showName: String(field(request.body, 'showName') === true) }
        : {},
  });

export const setPublicProfileOperation = defineOperation({
  method: 'PUT',
  url: '/v1/parties/:partyId/public-profile',
  operationId: 'setPublicProfile',
  summary: 'What the public trace-code check shows of the party (the party itself, or an admin)',
  description:
    'Setting a profile makes the products and inspections of the batches the party produced ' +
    'public, its name when `showName`, its region when given. Without one nothing of it is.',
  tag: 'parties',
  params: partyParams,
  body: publicProfileBody,
  answers: { 200: { description: 'The profile now in force', schema: publicProfileAnswerSchema } },
  errors: [403, 404],
  audit: publicProfileAudit('party.public-profile.set'),
});

export const clearPublicProfileOperation = defineOperation({
  method: 'DELETE',
  url: '/v1/parties/:partyId/public-profile',
  operationId: 'clearPublicProfile',
  summary: 'Nothing of the party public again (the party itself, or an admin)',
  tag: 'parties',
  params: partyParams,
  answers: { 200: { description: 'No profile', schema: publicProfileAnswerSchema } },
  errors: [403, 404],
  audit: publicProfileAudit('party.public-profile.clear'),
});

export const getPublicProfileOperation = defineOperation({
  method: 'GET',
  url: '/v1/parties/:partyId/public-profile',
  operationId: 'getPublicProfile',
  summary: 'What the public trace-code check shows of the party (the party itself, or an admin)',
  tag: 'parties',
  params: partyParams,
  answers: { 200: { description: 'The profile', schema: publicProfileAnswerSchema } },
  errors: [403, 404],
  audit: publicProfileAudit('party.public-profile.read'),
});
