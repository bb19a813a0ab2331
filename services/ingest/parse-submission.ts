/**
 * Turns a POST /v1/events body into validated events of the caller, or one error that lists
 * every problem with the field it concerns. Nothing here touches the log or the store.
 */
import type { UnstampedEvent } from '../common/events/unstamped-event.js';
import { SuyuanError, type FieldIssue } from '../common/errors.js';
import { fieldIssues, invalidInput } from '../common/invalid-input.js';
import { nativeLink, SUBMITTED_EVENT_VALIDATORS, type PostableEventType } from './event-schemas.js';

export const MAX_EVENTS_PER_REQUEST = 1000;

/** A validated event before ingest stamps `recordedAt`. */
export type SubmittedEvent = UnstampedEvent;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const refused = (path: string, message: string) =>
  invalidInput([{ path, message }], 'invalid_event');

function submittedList(body: unknown): unknown[] {
  if (!isObject(body)) throw refused('body', 'expected an event object or { "events": [ ... ] }');
  if (!('events' in body)) return [body];
  const extra = Object.keys(body).filter((key) => key !== 'events');
  if (extra.length > 0) throw refused(extra[0] ?? '', 'unknown field next to "events"');
  const { events } = body;
  if (!Array.isArray(events)) throw refused('events', 'must be an array of events');
  if (events.length === 0) throw refused('events', 'must hold at least one event');
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    const message = `at most ${MAX_EVENTS_PER_REQUEST} events per request (got ${events.length})`;
    throw refused('events', message);
  }
  return events;
}

function parseOne(raw: unknown, caller: string): SubmittedEvent | Array<Omit<FieldIssue, 'index'>> {
  if (!isObject(raw)) return [{ path: '', message: 'must be an event object' }];
  const { eventType, party, recordedAt, ...fields } = raw;
  const eventId = typeof fields.eventId === 'string' ? fields.eventId : undefined;
  const withId = (issue: Omit<FieldIssue, 'index' | 'eventId'>) =>
    eventId ? { ...issue, eventId } : issue;
  if (party !== undefined && party !== caller) {
    throw new SuyuanError(
      'forbidden',
      `party: events may only be posted as your own party (${caller}); the acting party comes from the API key`,
    );
  }
  const problems: Array<Omit<FieldIssue, 'index' | 'eventId'>> = [];
  if (recordedAt !== undefined)
    problems.push({ path: 'recordedAt', message: 'is set by the server; do not send it' });
  if (typeof eventType !== 'string' || !Object.hasOwn(SUBMITTED_EVENT_VALIDATORS, eventType)) {
    const known = Object.keys(SUBMITTED_EVENT_VALIDATORS).join(', ');
    problems.push({
      path: 'eventType',
      message:
        eventType === undefined
          ? `is required; one of ${known}`
          : `unknown event type; one of ${known}`,
    });
    return problems.map(withId);
  }
  const parsed = SUBMITTED_EVENT_VALIDATORS[eventType as PostableEventType].safeParse(fields);
  if (!parsed.success) problems.push(...fieldIssues(parsed.error));
  if (problems.length > 0 || !parsed.success) return problems.map(withId);
  return {
    ...(parsed.data as object),
    ...nativeLink(eventType),
    eventType,
    party: caller,
  } as SubmittedEvent;
}

/** Validates a whole request: either every event is valid, or it throws listing every problem. */
export function parseSubmission(body: unknown, caller: string): SubmittedEvent[] {
  const events: SubmittedEvent[] = [];
  const details: FieldIssue[] = [];
  submittedList(body).forEach((raw, index) => {
    const result = parseOne(raw, caller);
    if (Array.isArray(result)) details.push(...result.map((issue) => ({ index, ...issue })));
    else events.push(result);
  });
  if (details.length > 0) throw invalidInput(details, 'invalid_event');
  return events;
}
