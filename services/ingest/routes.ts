import type { FastifyError, FastifyInstance } from 'fastify';
import { isSuyuanError } from '../common/errors.js';
import { mountOperation } from '../common/http/operations.js';
import type { Metrics } from '../common/metrics/metrics.js';
import type { EventIngestor } from './event-ingestor.js';
import { postEventsOperation } from './operations.js';
import { parseSubmission } from './parse-submission.js';

export interface IngestRouteDeps {
  readonly ingestor: EventIngestor;
  /** Counts refused submissions by error code when given. */
  readonly metrics?: Metrics;
}

export function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  const { metrics } = deps;
  mountOperation(
    app,
    postEventsOperation,
    async ({ request, reply, body }) => {
      const events = parseSubmission(body, request.caller.partyId);
      const { results, warnings } = await deps.ingestor.submit(request.caller, events);
      return reply.status(202).send(warnings.length > 0 ? { results, warnings } : { results });
    },
    // Runs for every error of this route: authentication, rate limit, body parsing, handler.
    metrics
      ? {
          onError: async (_request, _reply, error: FastifyError) => {
            metrics.eventsRejected.inc({ reason: rejectionReason(error) });
          },
        }
      : {},
  );
}

/** The `error` code the answer carries (error-handler.ts), from a closed list. */
function rejectionReason(error: FastifyError): string {
  if (isSuyuanError(error)) return error.code;
  const status = error.statusCode ?? 500;
  if (status === 413) return 'payload_too_large';
  return status < 500 ? 'invalid_request' : 'internal';
}
