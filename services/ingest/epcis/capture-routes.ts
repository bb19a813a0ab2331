/**
 * The EPCIS 2.0 capture interface (REST binding): `POST /epcis/capture` takes an EPCISDocument
 * (or EPCISQueryDocument) and answers 202 with the capture job's Location, once the job is done
 * and the log holds what it accepted; `GET /epcis/capture[/{captureID}]` reads jobs;
 * `POST /epcis/events` captures one event and answers 201 (or the refusal itself). Their
 * contract is operations.ts.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { hashContextOf } from '../../common/epcis/event-hash.js';
import { productNamesOf } from '../../common/epcis/master-data.js';
import { EPCIS_VERSION_HEADERS } from '../../common/epcis/rest-binding.js';
import { checkDocument, checkEvent } from '../../common/epcis/schema-check.js';
import { SuyuanError } from '../../common/errors.js';
import { mountOperation } from '../../common/http/operations.js';
import { invalidField } from '../../common/invalid-input.js';
import { captureEvents, type CaptureDeps } from './capture.js';
import { refusalOf, type ErrorBehaviour } from './capture-errors.js';
import type { CaptureJob, CaptureJobs } from './capture-jobs.js';
import {
  captureDocumentOperation,
  captureEventOperation,
  getCaptureJobOperation,
  listCaptureJobsOperation,
} from './operations.js';

export interface CaptureRouteDeps extends CaptureDeps {
  readonly jobs: CaptureJobs;
  /** Most events one document may hold (GS1-EPCIS-Capture-Limit). */
  readonly captureLimit: number;
  /** Largest document in bytes (GS1-EPCIS-Capture-File-Size-Limit): the body limit. */
  readonly fileSizeLimit: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const invalid = (path: string, message: string) => invalidField(path, message);

function errorBehaviourOf(header: unknown): ErrorBehaviour {
  if (header === undefined) return 'rollback';
  const value = typeof header === 'string' ? header.toLowerCase() : '';
  if (value === 'rollback' || value === 'proceed') return value;
  throw invalid('GS1-Capture-Error-Behaviour', 'must be rollback or proceed');
}

/** The event list of an EPCISDocument or EPCISQueryDocument. */
function eventListOf(document: Record<string, unknown>): unknown[] {
  const body = isObject(document.epcisBody) ? document.epcisBody : {};
  const list =
    document.type === 'EPCISQueryDocument'
      ? (body.queryResults as { resultsBody?: { eventList?: unknown } } | undefined)?.resultsBody
          ?.eventList
      : body.eventList;
  if (!Array.isArray(list)) throw invalid('epcisBody.eventList', 'is required: a list of events');
  return list;
}

function documentOf(body: unknown, limit: number) {
  if (!isObject(body) || (body.type !== 'EPCISDocument' && body.type !== 'EPCISQueryDocument')) {
    throw invalid('type', 'the body must be an EPCISDocument or EPCISQueryDocument');
  }
  const events = eventListOf(body);
  if (events.length === 0) throw invalid('epcisBody.eventList', 'must hold at least one event');
  if (events.length > limit) {
    throw new SuyuanError(
      'payload_too_large',
      `epcisBody.eventList: ${events.length} events; a capture takes at most ${limit} (GS1-EPCIS-Capture-Limit): split the document`,
    );
  }
  const problems = checkDocument(body);
  if (problems.document.length > 0) {
    throw new SuyuanError(
      'invalid_request',
      `${problems.document[0]?.path || 'document'}: ${problems.document[0]?.message}`,
      { details: problems.document },
    );
  }
  return { document: body, events, schemaProblems: problems.events };
}

export function registerCaptureRoutes(app: FastifyInstance, deps: CaptureRouteDeps): void {
  const limits = {
    'GS1-EPCIS-Capture-Limit': String(deps.captureLimit),
    'GS1-EPCIS-Capture-File-Size-Limit': String(deps.fileSizeLimit),
    'GS1-Capture-Error-Behaviour': 'rollback, proceed',
    ...EPCIS_VERSION_HEADERS,
  };
  const announce = (reply: FastifyReply) => reply.headers(limits);
  // Every answer of the capture interface announces its limits, a 413 of the body parser too.
  const announcing = {
    onError: async (_request: unknown, reply: FastifyReply) => void announce(reply),
  };

  // The REST binding's way to ask for the limits; not an operation of the API document.
  app.options('/epcis/capture', { schema: { hide: true } }, async (_request, reply) =>
    announce(reply).header('allow', 'OPTIONS, GET, POST').status(204).send(),
  );

  mountOperation(
    app,
    captureDocumentOperation,
    async ({ request, reply, body }) => {
      announce(reply);
      const behaviour = errorBehaviourOf(request.headers['gs1-capture-error-behaviour']);
      const { document, events, schemaProblems } = documentOf(body, deps.captureLimit);
      const captureID = randomUUID();
      const createdAt = new Date().toISOString();
      const outcome = await captureEvents(deps, {
        caller: request.caller,
        events,
        schemaProblems,
        context: document['@context'],
        hashContext: hashContextOf(document),
        productNames: productNamesOf(document),
        captureId: captureID,
        behaviour,
      });
      const job: CaptureJob = {
        captureID,
        createdAt,
        finishedAt: new Date().toISOString(),
        running: false,
        success: outcome.success,
        captureErrorBehaviour: behaviour,
        errors: outcome.errors,
        events: outcome.results,
        warnings: outcome.warnings,
      };
      await deps.jobs.record(request.caller.partyId, job);
      return reply.status(202).header('location', `/epcis/capture/${captureID}`).send(job);
    },
    announcing,
  );

  mountOperation(
    app,
    listCaptureJobsOperation,
    async ({ request, reply, query }) => {
      announce(reply);
      const { perPage, nextPageToken } = query;
      const jobs = await deps.jobs.list(request.caller, perPage + 1, nextPageToken);
      const page = jobs.slice(0, perPage);
      if (jobs.length > perPage) {
        const next = page.at(-1)?.captureID ?? '';
        reply.header(
          'link',
          `</epcis/capture?perPage=${perPage}&nextPageToken=${encodeURIComponent(next)}>; rel="next"`,
        );
      }
      return page;
    },
    announcing,
  );

  mountOperation(
    app,
    getCaptureJobOperation,
    async ({ request, reply, params }) => {
      announce(reply);
      return deps.jobs.get(request.caller, params.captureID);
    },
    announcing,
  );

  mountOperation(app, captureEventOperation, async ({ request, reply, body }) => {
    reply.headers(EPCIS_VERSION_HEADERS);
    const event: unknown = body;
    if (!isObject(event) || typeof event.type !== 'string') {
      throw invalid('type', 'the body must be one EPCIS event');
    }
    const context = event['@context'];
    const outcome = await captureEvents(deps, {
      caller: request.caller,
      events: [event],
      schemaProblems: new Map([[0, checkEvent(event)]]),
      context,
      hashContext: hashContextOf({ '@context': context }),
      productNames: new Map(),
      captureId: null,
      behaviour: 'rollback',
    });
    if (!outcome.success) throw refusalOf(outcome.errors);
    const [result] = outcome.results;
    const eventID = result?.eventID ?? '';
    return reply
      .status(201)
      .header('location', `/epcis/events/${encodeURIComponent(eventID)}`)
      .send({ eventID, status: result?.status, warnings: outcome.warnings });
  });
}
