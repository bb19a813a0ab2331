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

const uri = z.string().meta({ format: 'uri' });
const dateTime = z.string().meta({ format: 'date-time' });

/** `@context` as the GS1 schema has it: a URI, an object of prefixes, or a list of those. */
const ldContext = z
  .union([
    uri,
    z.looseObject({}),
    z.array(z.union([uri, z.looseObject({})])).meta({ uniqueItems: true }),
  ])
  .meta({ description: 'The EPCIS 2.0 JSON-LD context, and the prefixes of extensions' });

/** Master data (epcisHeader.epcisMasterData.vocabularyList, or a query's vocabularyList). */
const vocabularyListSchema = z.array(
  z.looseObject({
    type: uri,
    vocabularyElementList: z
      .array(
        z.looseObject({
          id: uri,
          attributes: z
            .array(
              z.looseObject({
                id: uri,
                attribute: z.union([z.number(), z.string(), z.looseObject({})]).optional(),
              }),
            )
            .optional(),
          children: z.array(uri).optional(),
        }),
      )
      .optional(),
  }),
);

/**
 * The events, each judged on its own: one the capture cannot take (the GS1 JSON Schema's event,
 * CBV values, identifiers the mapping can place) is an error of the capture job, not a refusal of
 * the document, so the document admits any item.
 */
const eventListSchema = z
  .array(z.unknown())
  .min(1)
  .meta({
    description:
      'At least one event, at most GS1-EPCIS-Capture-Limit (413 beyond). Each is an EPCIS 2.0 ' +
      'event (EpcisEvent); one the capture cannot take is an error of the job (202), naming ' +
      'eventList[i] and the field.',
  });

/**
 * What capture takes, as the GS1 EPCIS 2.0 JSON Schema defines the documents outside their
 * events (its extension fields, named by a URI or prefix, aside): a refusal of any of it is a
 * 400 naming the field.
 */
const captureDocument = z.strictObject({
  '@context': ldContext,
  id: uri.optional(),
  type: z.literal('EPCISDocument'),
  schemaVersion: z.string().regex(/^\d+(\.\d+)*$/),
  creationDate: dateTime,
  instanceIdentifier: z.string().optional(),
  sender: z.string().optional(),
  receiver: z.string().optional(),
  epcisHeader: z
    .strictObject({
      epcisMasterData: z
        .looseObject({ vocabularyList: vocabularyListSchema.optional() })
        .optional(),
    })
    .optional(),
  epcisBody: z.looseObject({ eventList: eventListSchema }),
});

const captureQueryDocument = z.strictObject({
  '@context': ldContext,
  id: uri.optional(),
  type: z.literal('EPCISQueryDocument'),
  schemaVersion: z
    .string()
    .regex(/^\d+(\.\d+)*$/)
    .optional(),
  creationDate: dateTime.optional(),
  epcisBody: z.strictObject({
    queryResults: z.strictObject({
      queryName: z.string(),
      subscriptionID: z.string().optional(),
      resultsBody: z.strictObject({
        eventList: eventListSchema,
        vocabularyList: vocabularyListSchema.optional(),
      }),
    }),
  }),
});

export const epcisDocumentSchema = z
  .discriminatedUnion('type', [captureDocument, captureQueryDocument])
  .meta({
    id: 'EpcisDocument',
    description:
      'An EPCISDocument (epcisBody.eventList) or EPCISQueryDocument (epcisBody.queryResults), ' +
      'as the GS1 EPCIS 2.0 JSON Schema defines them',
  });

const EVENT_TYPES = [
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
] as const;

/**
 * One event captured on its own (POST /epcis/events): what every event has. The rest of what
 * capture takes — the GS1 JSON Schema's rules per event type, CBV values, identifiers the mapping
 * can place — is beyond OpenAPI 3.0 (docs/epcis.md); a refusal names the field.
 */
export const captureEventSchema = z
  .looseObject({
    '@context': ldContext,
    type: z.enum(EVENT_TYPES),
    eventID: uri.optional(),
    eventTime: dateTime,
    eventTimeZoneOffset: z.string().regex(/^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$/),
    action: z.enum(['ADD', 'OBSERVE', 'DELETE']).optional(),
  })
  .meta({
    id: 'EpcisCaptureEvent',
    description:
      'An EPCIS 2.0 event with its @context (GS1 EPCIS-JSON-Schema.json, EPCIS-Document-Event)',
    example: {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'ObjectEvent',
      eventTime: '2026-11-20T08:00:00.000Z',
      eventTimeZoneOffset: '+08:00',
      epcList: ['urn:epc:id:sgtin:0614141.107346.2018'],
      action: 'OBSERVE',
      bizStep: 'inspecting',
      readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
    },
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
