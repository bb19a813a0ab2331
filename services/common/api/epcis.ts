/**
 * The answers of the EPCIS 2.0 routes (REST binding, docs/epcis.md): capture jobs, the answer of
 * a single-event capture, and the EPCISQueryDocument of a query. An EPCIS document is described
 * here only in outline: what it may hold is the official GS1 EPCIS 2.0 JSON Schema's
 * (schemas/epcis/EPCIS-JSON-Schema.json), which capture checks documents against and the tests
 * check every query answer against.
 */
import { z } from 'zod';
import { evidenceSchema } from './proofs.js';
import { time } from './scalars.js';

/** What the capture could not take of one event: an RFC 7807 problem, and where it is. */
export const captureErrorSchema = z
  .strictObject({
    type: z.string().meta({ description: 'epcisException:ValidationException, …' }),
    title: z.string().meta({ description: 'eventList[i].field: what is wrong' }),
    status: z.number().int(),
    index: z.number().int().meta({ description: 'The event of the document (from 0)' }),
    eventID: z.string().optional(),
    path: z.string().meta({ description: 'The field within the event, empty for the whole' }),
    detail: z.string(),
  })
  .meta({ id: 'EpcisCaptureError' });

/** An identifier of an accepted event that no trace can place: kept, and said so. */
export const captureWarningSchema = z
  .strictObject({
    index: z.number().int(),
    eventID: z.string(),
    path: z.string(),
    id: z.string(),
    detail: z.string(),
  })
  .meta({ id: 'EpcisCaptureWarning' });

export const captureResultSchema = z.strictObject({
  index: z.number().int(),
  eventID: z.string(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
});

export const captureJobSchema = z
  .strictObject({
    captureID: z.string(),
    createdAt: time,
    finishedAt: time,
    running: z.literal(false).meta({
      description: 'A capture finishes before it answers 202: a job is never running',
    }),
    success: z.boolean(),
    captureErrorBehaviour: z.enum(['rollback', 'proceed']),
    errors: z.array(captureErrorSchema),
    events: z.array(captureResultSchema),
    warnings: z.array(captureWarningSchema),
  })
  .meta({ id: 'EpcisCaptureJob' });

export const singleCaptureSchema = z
  .strictObject({
    eventID: z.string(),
    status: z.enum(['accepted', 'duplicate']),
    warnings: z.array(captureWarningSchema),
  })
  .meta({ id: 'EpcisCapturedEvent' });

/** One EPCIS event as JSON-LD: open to every field and extension the standard allows. */
export const epcisEventSchema = z
  .looseObject({
    type: z.string(),
    eventTime: z.string(),
    eventTimeZoneOffset: z.string(),
  })
  .meta({
    id: 'EpcisEvent',
    description: 'An EPCIS 2.0 event (GS1 EPCIS-JSON-Schema.json, EPCIS-Document-Event)',
  });

export const epcisDocumentSchema = z
  .looseObject({
    '@context': z.unknown(),
    type: z.enum(['EPCISDocument', 'EPCISQueryDocument']),
    schemaVersion: z.string(),
    creationDate: z.string(),
    epcisBody: z.looseObject({}),
  })
  .meta({
    id: 'EpcisDocument',
    description:
      'An EPCISDocument (epcisBody.eventList) or EPCISQueryDocument (epcisBody.queryResults), ' +
      'as the GS1 EPCIS 2.0 JSON Schema defines them',
  });

export const epcisQueryDocumentSchema = z
  .strictObject({
    '@context': z.array(z.unknown()),
    type: z.literal('EPCISQueryDocument'),
    schemaVersion: z.literal('2.0'),
    creationDate: time,
    epcisBody: z.strictObject({
      queryResults: z.strictObject({
        queryName: z.literal('SimpleEventQuery'),
        resultsBody: z.strictObject({ eventList: z.array(epcisEventSchema) }),
      }),
    }),
    'suyuan:evidence': evidenceSchema.optional().meta({
      description:
        'With evidence=true: the signed proofs of the page’s events, an EPCIS user extension ' +
        '(a JSON literal in Suyuan’s namespace) for `npx suyuan verify` (docs/proofs.md)',
    }),
  })
  .meta({ id: 'EpcisQueryDocument' });

export type CaptureError = z.infer<typeof captureErrorSchema>;
export type CaptureWarning = z.infer<typeof captureWarningSchema>;
export type CaptureResult = z.infer<typeof captureResultSchema>;
export type CaptureJob = z.infer<typeof captureJobSchema>;
