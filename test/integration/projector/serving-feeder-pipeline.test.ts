/**
 * The serving feeder prepares the next chunk of the log while the one before commits, so a chunk's
 * rows carry the position of what had committed, not their own (services/projector/serving-feeder.ts).
 * What that must keep: every record reaches the index; a failed commit lets no later chunk's
 * position, in the index or in `reached`, pass its records; and a feeder that stopped leaves
 * nothing to apply again. Real embedded log, real LMDB index; the one wrapped thing is the index's
 * `apply`, to watch what is written and to fail one commit on purpose (a disk cannot be made to
 * fail here), late, as lmdb reports a commit, after the next chunk has been written.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../services/common/events/codec.js';
import { logKeyOf } from '../../../services/common/events/keys.js';
import { createEventLog } from '../../../services/common/log/create-event-log.js';
import type { EventLog } from '../../../services/common/log/event-log.js';
import { createLogger } from '../../../services/common/logger.js';
import type { ProjectionRows } from '../../../services/common/projection/projection.js';
import {
  openLmdbServingIndex,
  type LmdbServingIndex,
} from '../../../services/common/serving/lmdb-serving-index.js';
import { createLmdbTraceReads } from '../../../services/common/serving/lmdb-trace-reads.js';
import { EVENTS_TOPIC } from '../../../services/common/topics.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import {
  startServingFeeder,
  type ServingFeeder,
} from '../../../services/projector/serving-feeder.js';
import { produced } from '../../support/event-builders.js';
import { pollUntil } from '../../support/poll.js';

const logger = createLogger({ level: 'silent', pretty: false });
const codec = createEventCodec();
/** Records per chunk: several chunks from a few records. */
const CHUNK = 2;
let dir: string;
let log: EventLog;
let index: LmdbServingIndex;
let feeder: ServingFeeder | undefined;

interface Apply {
  readonly rows: ProjectionRows;
  readonly carried: number;
}

/** The index, with each apply told to `seen` before it is made; `fail` may fail it instead. */
const watched = (
  seen: (apply: Apply) => void,
  fail: (apply: Apply) => boolean = () => false,
): LmdbServingIndex => ({
  ...index,
  apply: (rows, position) => {
    const apply = { rows, carried: position.nextOffset };
    seen(apply);
    if (!fail(apply)) return index.apply(rows, position);
    return new Promise((_, reject) =>
      setTimeout(() => reject(new Error('the commit failed (test)')), 100),
    );
  },
});

/** Appends a production of each batch, one record each; returns the offset after the last. */
const appendBatches = async (batchIds: readonly string[]): Promise<number> => {
  const receipts = await log.append(
    EVENTS_TOPIC,
    batchIds.map((batchId) => {
      const event = {
        ...parseSubmission(produced(batchId), 'plant-1')[0]!,
        recordedAt: new Date().toISOString(),
      };
      return { key: logKeyOf(event), value: codec.encode(event) };
    }),
  );
  return receipts.at(-1)!.offset + 1;
};
const inIndex = async (batchIds: readonly string[]) =>
  (await createLmdbTraceReads(index).batches(batchIds)).length;
const recordedPosition = () => index.positions(EVENTS_TOPIC).get(0) ?? 0;
const holds = (apply: Apply, batchId: string) => JSON.stringify(apply.rows).includes(batchId);
const batches = (n: number) =>
  Array.from({ length: n }, (_, i) => `P${i}-${randomUUID().slice(0, 8)}`);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-feeder-pipeline-'));
  log = createEventLog({ kind: 'embedded', path: join(dir, 'log.sqlite') }, logger);
  index = openLmdbServingIndex({ path: join(dir, 'serving') });
});
afterEach(async () => {
  await feeder?.stop();
  feeder = undefined;
  await index?.close();
  await log?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the serving feeder, a chunk in flight while the next is prepared', () => {
  it('applies every record, and once caught up the index records where it is', async () => {
    const ids = batches(7);
    const end = await appendBatches(ids);
    const carried: number[] = [];
    feeder = startServingFeeder({
      log,
      codec,
      index: watched((apply) => carried.push(apply.carried)),
      logger,
      chunk: CHUNK,
    });
    await feeder.reached(0, end);
    expect(await inIndex(ids)).toBe(ids.length);
    await pollUntil(() => Promise.resolve(recordedPosition() === end || undefined), {
      what: 'the position after the last record, recorded',
      timeoutMs: 10_000,
    });
    // Pipelined: some chunk was written before the one before it had committed.
    expect(carried.some((position, i) => position === carried[i - 1])).toBe(true);
    await feeder.stop();
    // A feeder over the index it left applies nothing again.
    const again: Apply[] = [];
    feeder = startServingFeeder({
      log,
      codec,
      index: watched((apply) => again.push(apply)),
      logger,
      chunk: CHUNK,
    });
    await feeder.reached(0, end);
    expect(again).toEqual([]);
  });

  it('lets no position pass the records of a failed commit until they are applied again', async () => {
    const ids = batches(8);
    const failing = ids[2]!; // in the second chunk, offsets 2 and 3
    const end = await appendBatches(ids);
    let failed = false;
    let reappliedAt: number | undefined;
    let recordedWhenReapplied: number | undefined;
    feeder = startServingFeeder({
      log,
      codec,
      index: watched(
        (apply) => {
          if (failed && holds(apply, failing) && reappliedAt === undefined) {
            reappliedAt = performance.now();
            recordedWhenReapplied = recordedPosition();
          }
        },
        (apply) => {
          if (failed || !holds(apply, failing)) return false;
          failed = true;
          return true;
        },
      ),
      logger,
      chunk: CHUNK,
    });
    const reachedPastFailure = feeder.reached(0, 4).then(() => performance.now());
    await feeder.reached(0, end);
    expect(failed).toBe(true);
    expect(await inIndex(ids)).toBe(ids.length);
    // What the index recorded before the chunk came again stays before it, and so did `reached`.
    expect(recordedWhenReapplied).toBeLessThanOrEqual(2);
    expect(await reachedPastFailure).toBeGreaterThan(reappliedAt!);
    await pollUntil(() => Promise.resolve(recordedPosition() === end || undefined), {
      what: 'the position after the last record, recorded',
      timeoutMs: 10_000,
    });
  });
});
