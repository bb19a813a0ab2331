/**
 * A distributed ingest instance's replica reads most events by their envelope alone and projects
 * only the rule events (services/ingest/ingest-replica.ts): that is sound only while no other
 * event type projects into a table the replica keeps. Every type, from the samples (EPCIS captures
 * among them) and from random accepted events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SuyuanError } from '../../../services/common/errors.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { FOR_SERVING, projectEvents } from '../../../services/common/projection/projection.js';
import { putsOf } from '../../../services/common/serving/serving-rows.js';
import { REPLICA_TABLES, RULE_EVENT_TYPES } from '../../../services/ingest/ingest-replica.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import { submittedEvent } from '../../support/event-arbitraries.js';
import { sampleEvents } from '../../support/sample-events.js';

/** The tables of the replica an event's serving rows reach, but the event index. */
const replicaTablesOf = (event: SuyuanEvent) =>
  putsOf(projectEvents([event], FOR_SERVING))
    .map(([table]) => table)
    .filter((table) => table !== 'eventIndex' && REPLICA_TABLES.includes(table));

function accepted(body: unknown): SuyuanEvent[] {
  try {
    return parseSubmission(body, 'plant-1').map((event) => ({
      ...event,
      recordedAt: event.eventTime,
    }));
  } catch (error) {
    if (error instanceof SuyuanError) return [];
    throw error;
  }
}

describe('the event types the ingest replica projects', () => {
  it('are the only ones whose rows reach its tables', () => {
    for (const event of sampleEvents()) {
      expect(replicaTablesOf(event).length > 0, event.eventType).toBe(
        RULE_EVENT_TYPES.has(event.eventType),
      );
    }
    fc.assert(
      fc.property(submittedEvent, (body) => {
        for (const event of accepted(body)) {
          if (!RULE_EVENT_TYPES.has(event.eventType)) {
            expect(replicaTablesOf(event), event.eventType).toEqual([]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
