/**
 * The write path: checks that an already-validated submission refers to known parties and
 * events, settles idempotency by eventId, appends the events to the log and answers only once
 * the log holds them durably.
 */
import type { Party, PartyDirectory } from '../common/access/party-directory.js';
import type { IngestResult, IngestWarning } from '../common/api/ingest.js';
import type { EventCodec } from '../common/events/codec.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import { fingerprintEvent } from '../common/events/fingerprint.js';
import { partyReferences } from '../common/events/keys.js';
import { SuyuanError, type FieldIssue } from '../common/errors.js';
import { invalidInput } from '../common/invalid-input.js';
import type { EventLog } from '../common/log/event-log.js';
import type { Logger } from '../common/logger.js';
import type { Metrics } from '../common/metrics/metrics.js';
import type { Store } from '../common/store/store.js';
import {
  createEventAppender,
  type AppendOutcome,
  type EventAppender,
  type Fingerprinted as AppenderItem,
} from './event-appender.js';
import { checkBatchClaims } from './batch-claims.js';
import { checkRecallRules, recallWarnings } from './recall-rules.js';
import type { EventIndex } from './event-index.js';
import type { RuleReads } from './rule-reads.js';
import type { SubmittedEvent } from './parse-submission.js';

/** What ingest answers; `warnings` is left out of the 202 when empty. */
export interface IngestAnswer {
  readonly results: IngestResult[];
  readonly warnings: IngestWarning[];
}

export interface SubmitOptions {
  /**
   * Counterparties that need not be registered: those an EPCIS event names by a GS1 identifier
   * no party registered, or does not name at all. Native posts name registered parties only.
   */
  readonly externalParties?: ReadonlySet<string>;
}

export interface EventIngestor {
  submit(
    caller: Party,
    events: readonly SubmittedEvent[],
    options?: SubmitOptions,
  ): Promise<IngestAnswer>;
}

interface Deps {
  readonly log: EventLog;
  readonly store: Store;
  /**
   * The projection's productions and recalls, which the batch-id and recall rules check: the
   * serving index in embedded mode, so that a post waits on no store statement.
   */
  readonly reads: RuleReads;
  /**
   * Where ids are settled when the log does not settle them: a distributed instance's replica
   * (ingest-replica.ts); the store's event index when not given.
   */
  readonly index?: EventIndex;
  readonly codec: EventCodec;
  readonly parties: PartyDirectory;
  readonly logger: Logger;
  /** Counts accepted events and times appends when given. */
  readonly metrics?: Metrics;
}

/** What the write path works with: the dependencies, and how it appends exactly once. */
type IngestDeps = Deps & { readonly appender: EventAppender };

type Fingerprinted = AppenderItem<SubmittedEvent>;

export function createEventIngestor(options: Deps): EventIngestor {
  const deps: IngestDeps = { ...options, appender: createEventAppender(options) };
  return {
    async submit(caller, events, options = {}) {
      if (!caller.roles.includes('submitter') && !caller.roles.includes('regulator')) {
        throw new SuyuanError('forbidden', 'posting events needs the submitter or regulator role');
      }
      const fingerprinted = events.map((event, index) => ({
        index,
        event,
        hash: fingerprintEvent(event),
      }));
      const unique = dedupeWithinRequest(fingerprinted);
      await checkPartyReferences(deps.parties, unique, options.externalParties);
      await checkRetractions(deps.appender, caller, unique);
      await checkBatchClaims(deps.reads, unique);
      await checkRecallRules(deps.reads, caller, unique);
      const results = await appendNew(deps, fingerprinted, unique);
      return { results, warnings: await recallWarnings(deps.reads, unique) };
    },
  };
}
function dedupeWithinRequest(items: readonly Fingerprinted[]): Fingerprinted[] {
  const first = new Map<string, Fingerprinted>();
  for (const item of items) {
    const seen = first.get(item.event.eventId);
    if (!seen) first.set(item.event.eventId, item);
    else if (seen.hash !== item.hash) {
      throw conflict([
        {
          index: item.index,
          eventId: item.event.eventId,
          path: 'eventId',
          message: `also used by events[${seen.index}] with a different body`,
        },
      ]);
    }
  }
  return [...first.values()];
}

function conflict(details: FieldIssue[]): SuyuanError {
  const [first] = details;
  return new SuyuanError(
    'conflict',
    `eventId: ${first?.eventId} ${first?.message ?? 'conflicts'}; an event id names one event forever`,
    { details },
  );
}

async function checkPartyReferences(
  parties: PartyDirectory,
  items: readonly Fingerprinted[],
  external: ReadonlySet<string> = new Set(),
) {
  const references = items.flatMap((item) =>
    partyReferences(item.event as SuyuanEvent)
      .filter((ref) => !external.has(ref.partyId))
      .map((ref) => ({ ...ref, item })),
  );
  if (references.length === 0) return;
  const known = await parties.find(references.map((ref) => ref.partyId));
  const details = references
    .filter((ref) => !known.has(ref.partyId))
    .map((ref) => ({
      index: ref.item.index,
      eventId: ref.item.event.eventId,
      path: ref.path,
      message: `unknown party ${ref.partyId}`,
    }));
  if (details.length > 0) throw invalidInput(details, 'invalid_event');
}

async function checkRetractions(
  appender: EventAppender,
  caller: Party,
  items: readonly Fingerprinted[],
) {
  const retractions = items.flatMap((item) =>
    item.event.eventType === 'EventRetracted' ? [{ item, target: item.event.targetEventId }] : [],
  );
  if (retractions.length === 0) return;
  const owner = await appender.recorders(retractions.map((r) => r.target));
  // An event earlier in the same request may be retracted too: it is the caller's own.
  for (const { event } of items)
    if (!owner.has(event.eventId)) owner.set(event.eventId, caller.partyId);
  for (const { item, target } of retractions) {
    const party = owner.get(target);
    if (party === undefined) {
      const issue = { index: item.index, eventId: item.event.eventId, path: 'targetEventId' };
      throw invalidInput([{ ...issue, message: `unknown event ${target}` }], 'invalid_event');
    }
    if (party !== caller.partyId && !caller.roles.includes('regulator')) {
      throw new SuyuanError(
        'forbidden',
        `targetEventId: only the party that recorded an event (or a regulator) may retract it`,
      );
    }
  }
}

async function appendNew(
  deps: IngestDeps,
  all: readonly Fingerprinted[],
  unique: readonly Fingerprinted[],
): Promise<IngestResult[]> {
  const appended = deps.metrics?.logAppendSeconds.startTimer();
  let outcome: AppendOutcome;
  try {
    outcome = await deps.appender.append(unique, new Date().toISOString());
  } finally {
    appended?.();
  }
  if ('clashes' in outcome) {
    throw conflict(
      outcome.clashes.map((item) => ({
        index: item.index,
        eventId: item.event.eventId,
        path: 'eventId',
        message: 'was already accepted with a different body',
      })),
    );
  }
  for (const item of unique) {
    if (outcome.accepted.has(item.index))
      deps.metrics?.eventsAccepted.inc({ event_type: item.event.eventType });
  }
  return all.map((item) => ({
    eventId: item.event.eventId,
    status: outcome.accepted.has(item.index) ? ('accepted' as const) : ('duplicate' as const),
  }));
}
