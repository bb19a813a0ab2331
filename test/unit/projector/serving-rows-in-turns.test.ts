/**
 * The serving feeder decodes and projects a chunk of records a slice at a time, so that a chunk of
 * thousands never holds the thread that answers HTTP at once: the rows are the same as from the
 * whole chunk at once, and other callbacks run between the slices.
 */
import { describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../services/common/events/codec.js';
import type { StoredRecord } from '../../../services/common/log/event-log.js';
import { FOR_SERVING, projectEvents } from '../../../services/common/projection/projection.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import {
  decodable,
  servingRowsInTurns,
  RECORDS_PER_TURN,
} from '../../../services/projector/serving-feeder.js';
import { inspected, produced, retracted, shipped } from '../../support/event-builders.js';

const codec = createEventCodec();

/** A chunk of the log: batches, their shipments and inspections, a retraction, a foreign record. */
function chunk(size: number): StoredRecord[] {
  const bodies: Array<Record<string, unknown>> = [];
  for (let i = 0; bodies.length < size; i += 1) {
    const batch = `B-${i}`;
    bodies.push(produced(batch, i > 0 ? [`B-${i - 1}`] : []));
    bodies.push(shipped(`S-${i}`, 'retailer-1', [batch]));
    bodies.push(inspected(batch, i % 7 === 0 ? 'FAIL' : 'PASS'));
    if (i % 50 === 0) bodies.push(retracted(String(bodies[bodies.length - 2]!.eventId)));
  }
  return bodies.slice(0, size).map((body, offset) => {
    const event = {
      ...parseSubmission(body, 'plant-1')[0]!,
      recordedAt: '2026-12-06T00:00:00.000Z',
    };
    // One record no schema here decodes: the projector sets it aside, the rows leave it out.
    const value = offset === RECORDS_PER_TURN + 1 ? Buffer.from('not ours') : codec.encode(event);
    return {
      topic: 'suyuan.events',
      partition: 0,
      offset,
      key: 'k',
      value,
      timestamp: 0,
      headers: {},
    };
  });
}

describe('the serving feeder, a chunk at a time', () => {
  it('projects the same rows as the whole chunk at once', async () => {
    const records = chunk(RECORDS_PER_TURN * 2 + 321);
    const sliced = await servingRowsInTurns(codec, records);
    expect(sliced).toEqual(projectEvents(decodable(codec, records), FOR_SERVING));
    expect(sliced.batches.length).toBeGreaterThan(RECORDS_PER_TURN / 2);
  });

  it('lets other callbacks run between its slices', async () => {
    let ranMeanwhile = 0;
    let finished = false;
    const meanwhile = () =>
      setImmediate(() => {
        if (finished) return;
        ranMeanwhile += 1;
        meanwhile();
      });
    meanwhile();
    await servingRowsInTurns(codec, chunk(RECORDS_PER_TURN * 3));
    finished = true;
    // Three slices: two waits for the next turn, in each of which the other callback ran.
    expect(ranMeanwhile).toBeGreaterThanOrEqual(2);
  });
});
