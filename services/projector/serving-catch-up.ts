/**
 * Brings the serving index up to what the projector has committed, from the log, before the
 * platform serves: a new, deleted or damaged index is rebuilt this way, and one left behind by a
 * machine crash (it commits without fsync) catches up. The index records its log position in the
 * same transaction as its rows, so it knows where to resume.
 */
import type { DeadLetters } from '../common/dead-letters/dead-letters.js';
import type { EventCodec } from '../common/events/codec.js';
import type { EventLog } from '../common/log/event-log.js';
import type { Logger } from '../common/logger.js';
import { FOR_SERVING, projectEvents } from '../common/projection/projection.js';
import type { LmdbServingIndex } from '../common/serving/lmdb-serving-index.js';
import { EVENTS_TOPIC } from '../common/topics.js';
import { APPLY_CHUNK, decodable } from './serving-feeder.js';

/** What its log lines say, for whoever reads them (the bench reports them as progress). */
export const CATCH_UP_MESSAGES = {
  started: 'serving index: catching up from the log',
  progress: 'serving index: catching up',
} as const;

export interface CatchUpDeps {
  readonly log: EventLog;
  readonly codec: EventCodec;
  readonly index: LmdbServingIndex;
  /** The projector's group: the index catches up to its committed offsets. */
  readonly groupId: string;
  /** What the projector set aside (and what is quarantined) is not in the store, nor here. */
  readonly deadLetters: DeadLetters;
  readonly logger: Logger;
}

/** Applies the events the index lacks up to the group's committed offsets; returns how many. */
export async function catchUpServingIndex(deps: CatchUpDeps): Promise<number> {
  const committed = await deps.log.committedOffsets(EVENTS_TOPIC, deps.groupId);
  const positions = deps.index.positions(EVENTS_TOPIC);
  let applied = 0;
  for (const [partition, target] of committed) {
    let next = positions.get(partition) ?? 0;
    if (next < target) {
      deps.logger.info({ partition, from: next, to: target }, CATCH_UP_MESSAGES.started);
    }
    while (next < target) {
      const records = await deps.log.read(EVENTS_TOPIC, {
        partition,
        fromOffset: next,
        maxRecords: Math.min(APPLY_CHUNK, target - next),
      });
      const last = records.at(-1);
      if (!last) break;
      const skipped = await deps.deadLetters.skippedAmong(records, deps.groupId);
      const kept = records.filter(
        (record) => !skipped.setAside.has(record.offset) && !skipped.quarantined.has(record.offset),
      );
      // The projector dead-lettered what it could not decode.
      const events = decodable(deps.codec, kept);
      await deps.index.apply(projectEvents(events, FOR_SERVING), {
        topic: EVENTS_TOPIC,
        partition,
        nextOffset: last.offset + 1,
      });
      applied += records.length;
      next = last.offset + 1;
      if (applied % (APPLY_CHUNK * 20) === 0) {
        deps.logger.info({ partition, applied, next, target }, CATCH_UP_MESSAGES.progress);
      }
    }
  }
  if (applied > 0) deps.logger.info({ applied }, 'serving index: caught up with the projector');
  return applied;
}
