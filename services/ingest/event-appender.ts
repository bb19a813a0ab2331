/**
 * How ingest appends a request's events exactly once per event id, by what the log offers:
 *
 * - a log that settles identity in the append (the embedded log): one transaction checks the ids
 *   and appends the new events, so "202" always means "indexed", two submissions of one id can
 *   never both be appended, and no store statement is on the write path;
 * - otherwise (Kafka): an event index, looked up before and written after the append, with a lock
 *   per id in this process: the instance's replica (ingest-replica.ts), or the store's. Two ingest
 *   instances that receive the same new id within the moment between one's append and the
 *   other's sight of it (its replica's lag; with the store's index, its index write) may both
 *   append it: the log then holds it twice. The projection keeps one row per id, so the answers
 *   do not change when the bodies are equal (the usual case: a client's retry); the README states
 *   the bound.
 */
import type { EventCodec } from '../common/events/codec.js';
import type { SuyuanEvent } from '../common/events/event-types.generated.js';
import { logRecordOf } from '../common/events/log-record.js';
import type { EventLog, RecordIdentities } from '../common/log/event-log.js';
import type { Logger } from '../common/logger.js';
import type { Store } from '../common/store/store.js';
import { EVENTS_TOPIC } from '../common/topics.js';
import { createEventIndex, type EventIndex } from './event-index.js';
import { createKeyedLock } from './keyed-lock.js';

/** A validated event with its position in the request and the fingerprint of its body. */
export interface Fingerprinted<E = Omit<SuyuanEvent, 'recordedAt'>> {
  readonly index: number;
  readonly event: E;
  readonly hash: string;
}

export type AppendOutcome =
  | { readonly accepted: ReadonlySet<number> }
  /** Items whose event id was accepted before with another body; nothing was appended. */
  | { readonly clashes: readonly Fingerprinted[] };

export interface EventAppender {
  /** Appends the events not accepted before (`items` hold each id once), stamped `recordedAt`. */
  append(items: readonly Fingerprinted[], recordedAt: string): Promise<AppendOutcome>;
  /** The party that recorded each of `eventIds` that the platform holds. */
  recorders(eventIds: readonly string[]): Promise<Map<string, string>>;
}

interface AppenderDeps {
  readonly log: EventLog;
  readonly store: Store;
  /** The event index when the log settles no ids: the store's unless given. */
  readonly index?: EventIndex;
  readonly codec: EventCodec;
  readonly logger: Logger;
}

const stamp = (item: Fingerprinted, recordedAt: string) =>
  ({ ...item.event, recordedAt }) as SuyuanEvent;

export function createEventAppender(deps: AppenderDeps): EventAppender {
  return deps.log.identities
    ? createLogIdentityAppender(deps, deps.log.identities)
    : createIndexAppender(deps);
}

function createLogIdentityAppender(
  { log, codec }: AppenderDeps,
  identities: RecordIdentities,
): EventAppender {
  return {
    async append(items, recordedAt) {
      const records = items.map((item) => logRecordOf(stamp(item, recordedAt), codec, item.hash));
      const outcome = await identities.appendNew(EVENTS_TOPIC, records);
      if ('clashes' in outcome) {
        return { clashes: outcome.clashes.map((index) => items[index] as Fingerprinted) };
      }
      const accepted = new Set<number>();
      outcome.appended.forEach((result, i) => {
        if (result.status === 'appended') accepted.add((items[i] as Fingerprinted).index);
      });
      return { accepted };
    },
    async recorders(eventIds) {
      const held = await identities.find(EVENTS_TOPIC, eventIds);
      const recorders = new Map<string, string>();
      for (const [eventId, { partition, offset }] of held) {
        const [record] = await log.read(EVENTS_TOPIC, {
          partition,
          fromOffset: offset,
          maxRecords: 1,
        });
        if (record) recorders.set(eventId, codec.decode(record.value).party);
      }
      return recorders;
    },
  };
}

function createIndexAppender({
  log,
  store,
  codec,
  logger,
  index = createEventIndex(store),
}: AppenderDeps): EventAppender {
  const lock = createKeyedLock();
  const appendFresh = async (items: readonly Fingerprinted[], recordedAt: string) => {
    const stored = await index.find(items.map((item) => item.event.eventId));
    const clashes = items.filter((item) => {
      const held = stored.get(item.event.eventId);
      return held !== undefined && held.bodyHash !== item.hash;
    });
    if (clashes.length > 0) return { clashes };
    const fresh = items.filter((item) => !stored.has(item.event.eventId));
    if (fresh.length > 0) {
      await log.append(
        EVENTS_TOPIC,
        fresh.map((item) => logRecordOf(stamp(item, recordedAt), codec, item.hash)),
      );
      // Best effort: the projector (or the replica's feed) writes the same entries, so a failure
      // here only delays dedup.
      await index
        .record(
          fresh.map((item) => ({
            eventId: item.event.eventId,
            bodyHash: item.hash,
            party: item.event.party,
          })),
          recordedAt,
        )
        .catch((err: unknown) =>
          logger.warn(
            { err, events: fresh.length },
            'event index write failed after append; the projector will fill it',
          ),
        );
    }
    return { accepted: new Set(fresh.map((item) => item.index)) };
  };
  return {
    append: (items, recordedAt) =>
      lock.run(
        items.map((item) => item.event.eventId),
        () => appendFresh(items, recordedAt),
      ),
    async recorders(eventIds) {
      const found = await index.find(eventIds);
      return new Map([...found.values()].map((entry) => [entry.eventId, entry.party]));
    },
  };
}
