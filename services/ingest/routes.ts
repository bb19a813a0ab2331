import type { FastifyInstance } from 'fastify';
import { postEventsSchema } from '../common/http/route-schemas.js';
import type { EventIngestor } from './event-ingestor.js';
import { parseSubmission } from './parse-submission.js';

export interface IngestRouteDeps {
  readonly ingestor: EventIngestor;
}

export function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  app.post('/v1/events', { schema: postEventsSchema }, async (request, reply) => {
    const events = parseSubmission(request.body, request.caller.partyId);
    const { results, warnings } = await deps.ingestor.submit(request.caller, events);
    return reply.status(202).send(warnings.length > 0 ? { results, warnings } : { results });
  });
}
