/**
 * Properties of the event validator (POST /v1/events): whatever the body, it either returns the
 * events or refuses with a client error (4xx) naming where the problem is. Never a crash, never a
 * server error, never some of a request's events without the others.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, SuyuanError } from '../../../services/common/errors.js';
import {
  SUBMITTED_EVENT_SCHEMAS,
  SUBMITTED_EVENT_VALIDATORS,
  type PostableEventType,
} from '../../../services/ingest/event-schemas.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import { submittedEvent } from '../../support/event-arbitraries.js';

const CALLER = 'plant-1';
const RUNS = { numRuns: 300 };

type Outcome = { accepted: number } | { refused: SuyuanError };

/** Accepted, or refused as the client's fault; anything else fails the property. */
function submit(body: unknown): Outcome {
  try {
    return { accepted: parseSubmission(body, CALLER).length };
  } catch (error) {
    if (!(error instanceof SuyuanError)) throw error;
    expect(ERROR_CODES[error.code].status).toBeLessThan(500);
    expect(error.message).toMatch(/^\S.*: \S/);
    return { refused: error };
  }
}

const eventTypes = Object.keys(SUBMITTED_EVENT_SCHEMAS);
/** Names an object's prototype answers to: `eventType in schemas` must not be fooled by them. */
const inheritedNames = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];
const fieldNames = [
  ...new Set(
    Object.values(SUBMITTED_EVENT_SCHEMAS).flatMap((schema) =>
      Object.keys((z.toJSONSchema(schema, { io: 'input' }).properties ?? {}) as object),
    ),
  ),
];

/** A value `depth` levels deep in arrays or objects. */
const nested = (depth: number, inObject: boolean): unknown => {
  let value: unknown = 'x';
  for (let level = 0; level < depth; level++) value = inObject ? { a: value } : [value];
  return value;
};

/** What a field may be replaced with: another type, something huge, something deep. */
const replacement: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(null, true, 0, -1, 1e308, '', [], {}),
  fc.integer({ min: 10_000, max: 1_000_000 }).map((length) => 'x'.repeat(length)),
  fc.tuple(fc.integer({ min: 50, max: 5_000 }), fc.boolean()).map(([d, o]) => nested(d, o)),
);

/** Every path into a JSON value, the root excluded. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...pathsOf(child, path)];
  });
}

/** A deep copy of `value` with the node at `path` replaced, or removed when `by` is absent. */
function mutate(value: unknown, path: (string | number)[], by: { value: unknown } | undefined) {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const parent = path.slice(0, -1).reduce((node, key) => node[key] as typeof node, copy);
  const last = path[path.length - 1] as string | number;
  if (by) parent[last] = by.value;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return copy;
}

/** A valid event with one node, at any depth, replaced or dropped. */
const mutatedEvent = fc
  .tuple(submittedEvent, fc.nat(), fc.option(replacement.map((value) => ({ value }))))
  .map(([event, pick, by]) => {
    const paths = pathsOf(event);
    return mutate(event, paths[pick % paths.length] ?? ['eventType'], by ?? undefined);
  });

describe('event validator properties', () => {
  it('answers any JSON value with events or a client error', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        submit(body);
        submit({ events: [body] });
      }),
      RUNS,
    );
  });

  it('answers any object with a known, or prototype, eventType with events or a client error', () => {
    const field = fc.oneof(fc.constantFrom(...fieldNames), fc.string());
    const objects = fc
      .tuple(
        fc.constantFrom(...eventTypes, ...inheritedNames),
        fc.dictionary(field, fc.oneof(fc.jsonValue(), replacement), { maxKeys: 12 }),
      )
      .map(([eventType, fields]) => ({ ...fields, eventType }));
    fc.assert(
      fc.property(objects, (body) => void submit(body)),
      RUNS,
    );
  });

  it('accepts the events it is meant to accept, normalised, as the caller', () => {
    fc.assert(
      fc.property(submittedEvent, (event) => {
        const outcome = submit(event);
        if ('accepted' in outcome) {
          const [parsed] = parseSubmission(event, CALLER);
          expect(parsed).toMatchObject({ eventType: event.eventType, party: CALLER });
          expect(Date.parse(parsed?.eventTime ?? '')).toBe(Date.parse(event.eventTime as string));
        }
      }),
      RUNS,
    );
  });

  it('accepts only values JSON rows carry exactly: an accepted event equals its JSON round trip', () => {
    // The projector writes rows as JSON (JSONEachRow) and keeps the event as JSON text: a value
    // JSON cannot write (such as -0, which it writes as 0) would be read back as another value.
    const atEdges = fc.tuple(submittedEvent, fc.constantFrom(-0, 0, Number.MIN_VALUE));
    fc.assert(
      fc.property(atEdges, ([event, zero]) => {
        const bodies =
          event.eventType === 'RecallProgressReported'
            ? [event, { ...event, recovered: zero, destroyed: zero }]
            : [event];
        for (const body of bodies) {
          const outcome = submit(body);
          if (!('accepted' in outcome)) continue;
          const [parsed] = parseSubmission(body, CALLER);
          expect(JSON.parse(JSON.stringify(parsed))).toEqual(parsed);
        }
      }),
      RUNS,
    );
  });

  it('refuses a mutated event with a client error that names a field', () => {
    fc.assert(
      fc.property(mutatedEvent, (event) => {
        const outcome = submit(event);
        if ('refused' in outcome && outcome.refused.code === 'invalid_event') {
          expect(outcome.refused.details?.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('refuses a whole request when any one of its events is refused: nothing partial', () => {
    const requests = fc.tuple(
      fc.array(submittedEvent, { maxLength: 3 }),
      mutatedEvent,
      fc.array(submittedEvent, { maxLength: 3 }),
    );
    fc.assert(
      fc.property(requests, ([before, bad, after]) => {
        const alone = submit(bad);
        const events = [...before, bad, ...after];
        const together = submit({ events });
        if ('refused' in alone) expect(together).toHaveProperty('refused');
        else if ('accepted' in together) expect(together.accepted).toBe(events.length);
      }),
      RUNS,
    );
  });
});

describe('the compiled validators ingest runs', () => {
  it.each(eventTypes)('%s compiles: no part of it is left to the runtime parser', (eventType) => {
    const schema = SUBMITTED_EVENT_SCHEMAS[eventType as PostableEventType];
    expect(() => z.compile(schema, { strict: true })).not.toThrow();
  });

  it('answer as the schemas do: the same events, or the same issues', () => {
    const bodies = fc.oneof(submittedEvent, mutatedEvent);
    fc.assert(
      fc.property(bodies, (body) => {
        const { eventType, party: _party, recordedAt: _recordedAt, ...fields } = body;
        if (typeof eventType !== 'string' || !Object.hasOwn(SUBMITTED_EVENT_SCHEMAS, eventType))
          return;
        const type = eventType as PostableEventType;
        const compiled = SUBMITTED_EVENT_VALIDATORS[type].safeParse(fields);
        const runtime = SUBMITTED_EVENT_SCHEMAS[type].safeParse(fields);
        expect(compiled.success).toBe(runtime.success);
        if (compiled.success) expect(compiled.data).toStrictEqual(runtime.data);
        else expect(compiled.error?.issues).toStrictEqual(runtime.error?.issues);
      }),
      { numRuns: 1000 },
    );
  });
});
