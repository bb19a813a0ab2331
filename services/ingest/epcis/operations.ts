/**
 * The EPCIS capture interface's contract (EPCIS 2.0 REST binding, docs/epcis.md): capture of a
 * document, its jobs, and the capture of one event, each with its schemas and what the audit
 * trail records of it. capture-routes.ts mounts them with their handlers. A document is checked
 * by the handler against the official GS1 JSON Schema (ajv), which names the event and field;
 * the schemas here document it.
 */
import { z } from 'zod';
import {
  captureJobSchema,
  captureEventSchema,
  epcisDocumentSchema,
  singleCaptureSchema,
} from '../../common/api/epcis.js';
import { hasRole, idOf, type AuditRule } from '../../common/audit/audit-policy.js';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from '../../common/epcis/rest-binding.js';
import { defineOperation, idParameter, integerParameter } from '../../common/http/operations.js';

const TAG = 'epcis';

/** A capture writes events like POST /v1/events: an admin's is recorded, as any admin request. */
const captured =
  (action: 'epcis.capture' | 'epcis.capture.event'): AuditRule =>
  (request) =>
    hasRole(request, 'admin') ? { action, target: '', detail: {} } : undefined;

/** Reading capture jobs: a regulator's or admin's reads of every party's jobs are recorded. */
const jobRead: AuditRule = (request) =>
  hasRole(request, 'regulator') || hasRole(request, 'admin')
    ? { action: 'epcis.capture.read', target: idOf(request.params.captureID), detail: {} }
    : undefined;

export const captureDocumentOperation = defineOperation({
  method: 'POST',
  url: '/epcis/capture',
  operationId: 'captureEpcisDocument',
  summary: 'Capture an EPCIS 2.0 document: 202 with its finished capture job',
  description:
    'Takes an EPCISDocument or EPCISQueryDocument (application/ld+json or application/json). ' +
    'GS1-Capture-Error-Behaviour: rollback (default; nothing of a document with an error is ' +
    'written) or proceed. Limits: GS1-EPCIS-Capture-Limit events and ' +
    'GS1-EPCIS-Capture-File-Size-Limit bytes (413 beyond). An error of one event is an error ' +
    'of the job, naming eventList[i] and the field.',
  tag: TAG,
  roles: ['submitter', 'regulator'],
  body: epcisDocumentSchema,
  bodyCheckedByHandler: true,
  answers: {
    202: {
      description: 'Captured; Location: /epcis/capture/{captureID} answers the same job',
      schema: captureJobSchema,
    },
  },
  errors: [400, 403, 413],
  audit: captured('epcis.capture'),
});

export const listCaptureJobsOperation = defineOperation({
  method: 'GET',
  url: '/epcis/capture',
  operationId: 'listEpcisCaptureJobs',
  summary: "The caller's capture jobs, newest first (a regulator's or admin's: all), paged",
  tag: TAG,
  query: z.object({
    perPage: integerParameter(1, MAX_PER_PAGE).default(DEFAULT_PER_PAGE),
    nextPageToken: z
      .string()
      .optional()
      .meta({ description: 'From the Link: rel="next" header of the page before' }),
  }),
  answers: { 200: { description: 'The jobs', schema: z.array(captureJobSchema) } },
  errors: [400],
  audit: jobRead,
});

export const getCaptureJobOperation = defineOperation({
  method: 'GET',
  url: '/epcis/capture/:captureID',
  operationId: 'getEpcisCaptureJob',
  summary: 'A capture job: success, and the errors naming each refused event and field',
  tag: TAG,
  params: z.strictObject({ captureID: idParameter }),
  answers: { 200: { description: 'The job', schema: captureJobSchema } },
  errors: [404],
  audit: jobRead,
});

export const captureEventOperation = defineOperation({
  method: 'POST',
  url: '/epcis/events',
  operationId: 'captureEpcisEvent',
  summary: 'Capture one EPCIS event at once: 201, or the refusal itself (400, 403, 409)',
  tag: TAG,
  roles: ['submitter', 'regulator'],
  body: captureEventSchema,
  bodyCheckedByHandler: true,
  answers: {
    201: {
      description: 'Captured; Location: /epcis/events/{eventID}',
      schema: singleCaptureSchema,
    },
  },
  errors: [400, 403, 409, 413],
  audit: captured('epcis.capture.event'),
});
