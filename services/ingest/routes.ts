import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ROLES, type PartyDirectory } from '../common/access/party-directory.js';
import { SuyuanError } from '../common/errors.js';
import { requireRole } from '../common/http/authenticate.js';
import type { EventIngestor } from './event-ingestor.js';
import { formatPath, parseSubmission } from './parse-submission.js';

export interface IngestRouteDeps {
  readonly ingestor: EventIngestor;
  readonly parties: PartyDirectory;
}

const newPartySchema = z.strictObject({
  partyId: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
      'must be 1-128 letters, digits, ".", "_", ":" or "-"',
    ),
  name: z.string().min(1, 'must not be empty').max(256),
  roles: z
    .array(z.enum(ROLES))
    .min(1, 'must hold at least one role')
    .refine((roles) => new Set(roles).size === roles.length, 'must not repeat a role'),
  webhook: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048),
      secret: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
    })
    .optional(),
});

export function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  app.post('/v1/events', async (request, reply) => {
    const events = parseSubmission(request.body, request.caller.partyId);
    const { results, warnings } = await deps.ingestor.submit(request.caller, events);
    return reply.status(202).send(warnings.length > 0 ? { results, warnings } : { results });
  });

  app.post('/v1/parties', async (request, reply) => {
    requireRole(request, 'admin');
    const parsed = newPartySchema.safeParse(request.body);
    if (!parsed.success) {
      const details = parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      }));
      throw new SuyuanError(
        'invalid_request',
        `${details[0]?.path || 'body'}: ${details[0]?.message}`,
        { details },
      );
    }
    const created = await deps.parties.create(parsed.data);
    return reply.status(201).send(created);
  });
}
