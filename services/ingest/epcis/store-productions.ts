/**
 * What the store knows of productions that mapping a document needs (capture-knowledge.ts): the
 * outputs of the transformations it continues, and the production that counts of each batch it
 * names — both as the BatchProduced events that stand (not retracted).
 */
import type { ProducedOutput } from '../../common/epcis/capture-knowledge.js';
import { idsByRole } from '../../common/epcis/epcis-event.js';
import { batchIdOfPlatformUri } from '../../common/epcis/suyuan-uris.js';
import { countingProductions } from '../../common/store/projection-rules.js';
import { queryInChunks } from '../../common/store/query-in-chunks.js';
import type { Store } from '../../common/store/store.js';
import type { IdentifiedEvent } from './store-facts.js';

/**
 * The BatchProduced events among `eventIds`, as productions. A document's lists of ids have no
 * bound but its size: every read here goes in parts (common/store/query-in-chunks.ts).
 */
async function productionsById(store: Store, eventIds: readonly string[]) {
  const rows = await queryInChunks<{ event_id: string; payload: string }>(
    store,
    `SELECT event_id, payload FROM events FINAL
     WHERE event_id IN {ids:Array(String)} AND event_type = 'BatchProduced'
       AND event_id NOT IN (SELECT target_event_id FROM retractions FINAL
                            WHERE target_event_id IN {ids:Array(String)})`,
    'ids',
    eventIds,
  );
  return new Map(
    rows.map((row) => {
      const event = JSON.parse(row.payload) as ProducedOutput;
      const production: ProducedOutput = {
        batchId: event.batchId,
        eventId: event.eventId,
        party: event.party,
        eventTime: new Date(event.eventTime).toISOString(),
        operator: event.operator,
        location: event.location,
        product: event.product,
        quantity: event.quantity,
        unit: event.unit,
        inputs: event.inputs,
      };
      return [row.event_id, production] as const;
    }),
  );
}

/**
 * The outputs of the transformations whose production stands: the BatchProduced events derived
 * from their captured events (the original, a later one that added inputs, a declaration that
 * took some back) that nothing retracted.
 */
export async function transformationOutputFacts(store: Store, ids: readonly string[]) {
  const outputs = new Map<string, ProducedOutput[]>();
  if (ids.length === 0) return outputs;
  const derived = await queryInChunks<{ transformation_id: string; event_id: string }>(
    store,
    `SELECT transformation_id, arrayJoin(derived_event_ids) AS event_id FROM epcis_events FINAL
     WHERE transformation_id IN {ids:Array(String)}`,
    'ids',
    ids,
  );
  if (derived.length === 0) return outputs;
  const productions = await productionsById(
    store,
    derived.map((row) => row.event_id),
  );
  for (const { transformation_id: id, event_id: eventId } of derived) {
    const production = productions.get(eventId);
    if (production) outputs.set(id, [...(outputs.get(id) ?? []), production]);
  }
  return outputs;
}

/**
 * The production that counts of every batch the document's events name (its lots, items and
 * outputs, as the EPCIS query indexes them), so a second production of one can be told apart.
 */
export async function productionFacts(store: Store, events: readonly IdentifiedEvent[]) {
  const named = events.flatMap(({ event }) => {
    const byRole = idsByRole(event);
    return [...byRole.epc, ...byRole.epcClass, ...byRole.outputEPC, ...byRole.outputEPCClass];
  });
  const batchIds = [...new Set(named.flatMap((id) => [id, batchIdOfPlatformUri(id) ?? []].flat()))];
  if (batchIds.length === 0) return new Map<string, ProducedOutput>();
  const counting = await queryInChunks<{ batch_id: string; event_id: string }>(
    store,
    `SELECT batch_id, event_id FROM (${countingProductions('{ids:Array(String)}')})`,
    'ids',
    batchIds,
  );
  const productions = await productionsById(
    store,
    counting.map((row) => row.event_id),
  );
  return new Map(
    counting.flatMap((row) => {
      const production = productions.get(row.event_id);
      return production ? [[row.batch_id, production] as const] : [];
    }),
  );
}
