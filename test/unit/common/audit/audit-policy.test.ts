/**
 * The audit policy with the rules the services hand it with their routes (each service's
 * operations.ts): what is recorded of a finished request, given its route.
 */
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../../services/common/access/party-directory.js';
import {
  auditActionFor as decide,
  type AuditedRequest,
} from '../../../../services/common/audit/audit-policy.js';
import { getAuditOperation } from '../../../../services/common/audit/audit-routes.js';
import type { Operation } from '../../../../services/common/http/operations.js';
import * as ingest from '../../../../services/ingest/operations.js';
import * as recall from '../../../../services/recall/operations.js';
import * as traceApi from '../../../../services/trace-api/operations.js';
import * as warnings from '../../../../services/trace-api/warnings/warning-operations.js';

const OPERATIONS: Operation[] = [
  getAuditOperation,
  ...Object.values(ingest),
  ...Object.values(recall),
  ...Object.values(traceApi),
  ...Object.values(warnings),
]
  .map((value) => (typeof value === 'function' ? value({ maxDepth: 64, maxNodes: 5000 }) : value))
  .filter((value): value is Operation => typeof value === 'object' && 'operationId' in value);

const ruleOf = new Map(
  OPERATIONS.map((operation) => [`${operation.method} ${operation.url}`, operation]),
);
const ADMIN_SURFACE = ['/v1/audit', '/v1/parties'];

/** What the audit trail does: the rule the request's route was mounted with decides. */
function auditActionFor(request: AuditedRequest) {
  // Fastify answers HEAD with the GET route, and the GET route's rule.
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const operation = request.routed ? ruleOf.get(`${method} ${request.route}`) : undefined;
  return decide({ ...request, rule: operation?.audit }, ADMIN_SURFACE);
}

it('knows the admin surface from the operations mounted as part of it', () => {
  const surface = OPERATIONS.filter((operation) => operation.adminSurface).map(
    (operation) => operation.url.split('/:')[0],
  );
  expect(new Set(surface)).toEqual(new Set(ADMIN_SURFACE));
});

const party = (partyId: string, ...roles: Role[]) => ({ partyId, roles });
const regulator = party('samr', 'regulator');
const submitter = party('dairy', 'submitter');
const admin = party('admin', 'admin');

/** A finished request; each test names only what matters to it. */
const request = (overrides: Partial<AuditedRequest>): AuditedRequest => ({
  method: 'GET',
  route: '/v1/batches/:batchId/trace',
  routed: true,
  params: {},
  query: {},
  caller: undefined,
  body: undefined,
  status: 200,
  ...overrides,
});

const recallEvent = (eventType: string, ids: Record<string, string>) => ({
  eventId: `e-${eventType}`,
  eventType,
  eventTime: '2026-11-12T08:00:00.000Z',
  ...ids,
});

describe('audit policy: trace queries', () => {
  it('records a regulator trace read with the batch as target', () => {
    // Given a regulator asking for the downstream trace of MILK-1
    const traced = request({
      caller: regulator,
      params: { batchId: 'MILK-1' },
      query: { direction: 'downstream', maxDepth: '5' },
    });
    // When the policy judges the finished request
    const entry = auditActionFor(traced);
    // Then it is a trace read of MILK-1 with the direction asked
    expect(entry).toEqual({
      action: 'trace.read',
      target: 'MILK-1',
      detail: { direction: 'downstream' },
    });
  });

  it('records a regulator batch read', () => {
    const read = request({
      route: '/v1/batches/:batchId',
      caller: regulator,
      params: { batchId: 'FARM-1' },
    });
    expect(auditActionFor(read)).toMatchObject({ action: 'batch.read', target: 'FARM-1' });
  });

  it('does not record a submitter reading a trace', () => {
    // Given a submitter reading a trace
    const traced = request({ caller: submitter, params: { batchId: 'MILK-1' } });
    // When / Then nothing is recorded
    expect(auditActionFor(traced)).toBeUndefined();
  });

  it("records a submitter's refused read of a batch out of its reach", () => {
    // Given a submitter refused the trace of a batch it never handled
    const refused = request({ caller: submitter, params: { batchId: 'OTHER-1' }, status: 403 });
    // When / Then the attempt is recorded (the row keeps the 403)
    expect(auditActionFor(refused)).toMatchObject({ action: 'trace.read', target: 'OTHER-1' });
  });

  it('treats HEAD like the GET it answers with', () => {
    const head = request({ method: 'HEAD', caller: regulator, params: { batchId: 'MILK-1' } });
    expect(auditActionFor(head)).toMatchObject({ action: 'trace.read' });
  });
});

describe('audit policy: recalls', () => {
  it('records the recall events of a submission as a recall action', () => {
    // Given a submission with a recall, an acknowledgement and an unrelated shipment
    const submitted = request({
      method: 'POST',
      route: '/v1/events',
      caller: submitter,
      status: 202,
      body: {
        events: [
          recallEvent('RecallInitiated', { recallId: 'R-1', reason: 'melamine' }),
          recallEvent('RecallAcknowledged', { noticeId: 'N-1', note: 'on it' }),
          recallEvent('BatchShipped', { shipmentId: 'S-1' }),
        ],
      },
    });
    // When the policy judges it
    const entry = auditActionFor(submitted);
    // Then the ids and types are kept, and no free text from the body
    expect(entry).toEqual({
      action: 'recall.action',
      target: 'R-1,N-1',
      detail: {
        eventTypes: ['RecallInitiated', 'RecallAcknowledged', 'BatchShipped'],
        recallIds: ['R-1'],
        noticeIds: ['N-1'],
      },
    });
    expect(JSON.stringify(entry)).not.toMatch(/melamine|on it/);
  });

  it('reads a single event body too', () => {
    const closed = request({
      method: 'POST',
      route: '/v1/events',
      caller: regulator,
      body: recallEvent('RecallClosed', { recallId: 'R-2' }),
    });
    expect(auditActionFor(closed)).toMatchObject({ action: 'recall.action', target: 'R-2' });
  });

  it('does not record a submission without recall events', () => {
    const shipped = request({
      method: 'POST',
      route: '/v1/events',
      caller: submitter,
      body: { events: [recallEvent('BatchShipped', { shipmentId: 'S-1' })] },
    });
    expect(auditActionFor(shipped)).toBeUndefined();
  });

  it('records recall reads, reports and mock recalls by anyone', () => {
    const by = (route: string, extra: Partial<AuditedRequest> = {}) =>
      auditActionFor(request({ route, caller: submitter, params: { recallId: 'R-1' }, ...extra }));
    expect(by('/v1/recalls')).toMatchObject({ action: 'recall.read', target: '' });
    expect(by('/v1/recalls/:recallId')).toMatchObject({ action: 'recall.read', target: 'R-1' });
    expect(by('/v1/recalls/:recallId/report', { query: { format: 'csv' } })).toEqual({
      action: 'recall.report',
      target: 'R-1',
      detail: { view: 'report', format: 'csv' },
    });
    expect(by('/v1/notices')).toMatchObject({ action: 'recall.read' });
    const mock = by('/v1/recalls/mock', { method: 'POST', body: { rootBatchIds: ['A', 'B'] } });
    expect(mock).toMatchObject({ action: 'recall.mock', target: 'A,B' });
  });
});

describe('audit policy: regulator analytics', () => {
  it('records every read of the gaps with its filters, by a regulator or a party', () => {
    const read = (caller: typeof regulator) =>
      auditActionFor(
        request({ route: '/v1/gaps', caller, query: { kind: 'over-yield', limit: '5' } }),
      );
    expect(read(regulator)).toEqual({
      action: 'gaps.read',
      target: '',
      detail: { kind: 'over-yield', limit: '5' },
    });
    expect(read(submitter)).toMatchObject({ action: 'gaps.read' });
  });

  it('records warning reads and every state change, refused ones too, with who made it', () => {
    expect(
      auditActionFor(request({ route: '/v1/warnings', caller: submitter, query: { level: '1' } })),
    ).toEqual({ action: 'warning.read', target: '', detail: { level: '1' } });
    const dismissed = auditActionFor(
      request({
        method: 'POST',
        route: '/v1/warnings/:warningId/state',
        caller: submitter,
        status: 403,
        params: { warningId: 'W-1' },
        body: { status: 'dismissed', reason: 'not copied', recallId: 'RC-1' },
      }),
    );
    expect(dismissed).toEqual({
      action: 'warning.state',
      target: 'W-1',
      detail: { status: 'dismissed', recallId: 'RC-1' },
    });
  });

  it('records every FSMA 204 export with the lot as target and its filters', () => {
    const exported = auditActionFor(
      request({
        route: '/v1/exports/fsma204',
        caller: submitter,
        query: { batchId: 'AX1', from: '2026-11-01', format: 'xlsx', other: 'x' },
      }),
    );
    expect(exported).toEqual({
      action: 'fsma204.export',
      target: 'AX1',
      detail: { batchId: 'AX1', from: '2026-11-01', format: 'xlsx' },
    });
  });
});

describe('audit policy: admin actions', () => {
  it('records a party creation without its webhook secret or API key', () => {
    // Given an admin creating a party with a webhook and its signing secret
    const created = request({
      method: 'POST',
      route: '/v1/parties',
      caller: admin,
      status: 201,
      body: {
        partyId: 'farm',
        name: 'Farm',
        roles: ['submitter'],
        webhook: { url: 'https://farm.example/hook', secret: 'whsec-very-secret-value' },
      },
    });
    // When the policy judges it
    const entry = auditActionFor(created);
    // Then the party and its roles are kept, the secret and the URL are not
    expect(entry).toEqual({
      action: 'admin.party.create',
      target: 'farm',
      detail: { roles: ['submitter'] },
    });
    expect(JSON.stringify(entry)).not.toMatch(/secret|whsec|farm\.example/);
  });

  it('records key creation, listing and revocation', () => {
    const key = (method: string, route: string) =>
      auditActionFor(
        request({ method, route, caller: admin, params: { partyId: 'farm', keyId: 'k-1' } }),
      );
    expect(key('POST', '/v1/parties/:partyId/keys')).toEqual({
      action: 'admin.key.create',
      target: 'farm',
      detail: {},
    });
    expect(key('GET', '/v1/parties/:partyId/keys')).toMatchObject({ action: 'admin.key.list' });
    expect(key('DELETE', '/v1/parties/:partyId/keys/:keyId')).toEqual({
      action: 'admin.key.revoke',
      target: 'farm',
      detail: { keyId: 'k-1' },
    });
  });

  it('records reads of the audit trail with their filters', () => {
    const read = request({ route: '/v1/audit', caller: admin, query: { actor: 'samr' } });
    expect(auditActionFor(read)).toEqual({
      action: 'admin.audit.read',
      target: '',
      detail: { actor: 'samr' },
    });
  });

  it('records every other request of an admin', () => {
    const shipped = request({
      method: 'POST',
      route: '/v1/events',
      caller: admin,
      body: recallEvent('BatchShipped', {}),
    });
    expect(auditActionFor(shipped)).toMatchObject({ action: 'events.submit' });
    expect(auditActionFor(request({ route: '/v1/something', caller: admin }))).toMatchObject({
      action: 'admin.request',
    });
  });
});

describe('audit policy: denied attempts', () => {
  it('records a 403 on the admin surface with who tried', () => {
    // Given a regulator trying to create a party and being refused
    const refused = request({
      method: 'POST',
      route: '/v1/parties',
      caller: regulator,
      status: 403,
      body: { partyId: 'rogue', roles: ['admin'] },
    });
    // When / Then the attempt is an admin action like any other (the row keeps the status)
    expect(auditActionFor(refused)).toEqual({
      action: 'admin.party.create',
      target: 'rogue',
      detail: { roles: ['admin'] },
    });
  });

  it('records an unauthenticated read of the audit trail', () => {
    const anonymous = request({ route: '/v1/audit', caller: undefined, status: 401 });
    expect(auditActionFor(anonymous)).toMatchObject({ action: 'admin.audit.read' });
  });

  it('records a request to the admin surface that no route answers', () => {
    const tamper = request({ method: 'DELETE', route: '/v1/audit', routed: false, status: 404 });
    expect(auditActionFor(tamper)).toEqual({ action: 'admin.unrouted', target: '', detail: {} });
    const elsewhere = request({ route: '/v1/nothing', routed: false, status: 404 });
    expect(auditActionFor(elsewhere)).toBeUndefined();
  });

  it('keeps only string ids, cut to a sane length', () => {
    const odd = request({
      method: 'POST',
      route: '/v1/recalls/mock',
      caller: submitter,
      body: { rootBatchIds: [{ $ne: 1 }, 'x'.repeat(500), 'A', 'A'] },
    });
    const entry = auditActionFor(odd);
    expect(entry?.detail.rootBatchIds).toEqual(['x'.repeat(200), 'A']);
  });
});
