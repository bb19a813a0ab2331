/**
 * The trace read model over the store: ClickHouse SQL. Every read uses FINAL (the tables collapse
 * replays only at merge time) and drops the rows of retracted events; only the timeline keeps
 * them, marked, because the audit trail must show what was corrected. A list of ids of any length
 * (a recall's scope reaches 200 000 batches) is read in parts (store/query-in-chunks.ts), each
 * read's rows sorted as one statement would.
 */
import { byColumns } from '../serving/utf8-order.js';
import { countingProductions, LIVE_CLOSURES, LIVE_RECALLS } from '../store/projection-rules.js';
import { ID_CHUNK, queryInChunks } from '../store/query-in-chunks.js';
import type { Store } from '../store/store.js';
import type {
  BatchRecallRow,
  BatchRow,
  DerivationRow,
  InspectionRow,
  ReceiptRow,
  ShipmentRow,
  TimelineRow,
  UnresolvedLinkRow,
  TraceReads,
} from './trace-reads.js';
import type { WalkDirection } from './walk.js';

const NOT_RETRACTED = 'event_id NOT IN (SELECT target_event_id FROM retractions FINAL)';

/** The BatchProduced event that counts for each batch (common/store/projection-rules.ts). */
const winningProductions = (batchIds: string) =>
  `SELECT batch_id, event_id FROM (${countingProductions(batchIds)})`;

const DERIVATION_COLUMNS = `input_batch_id AS input, output_batch_id AS output, event_id AS eventId,
  party, operator, quantity, unit, at`;

/**
 * The derivation edges leaving `batchIds` in a direction: downstream, the batches made from them;
 * upstream, the batches they were made from. Only edges of the counting BatchProduced of the
 * output batch are returned.
 */
async function findDerivations(
  store: Store,
  direction: WalkDirection,
  batchIds: readonly string[],
): Promise<DerivationRow[]> {
  if (batchIds.length === 0) return [];
  // Downstream the output batches are not known yet: they are the ones the frontier feeds.
  const [table, key, outputs] =
    direction === 'downstream'
      ? [
          'derivations_by_input',
          'input_batch_id',
          `(SELECT output_batch_id FROM derivations_by_input FINAL
            WHERE input_batch_id IN {frontier:Array(String)})`,
        ]
      : ['derivations_by_output', 'output_batch_id', '{frontier:Array(String)}'];
  return queryInChunks<DerivationRow>(
    store,
    `SELECT ${DERIVATION_COLUMNS} FROM ${table} FINAL
     WHERE ${key} IN {frontier:Array(String)}
       AND event_id IN (SELECT event_id FROM (${winningProductions(outputs)}))
     ORDER BY input, output, eventId`,
    'frontier',
    batchIds,
    {
      order: byColumns(
        (row) => row.input,
        (row) => row.output,
        (row) => row.eventId,
      ),
    },
  );
}

/** Shipment or receipt lines in the store's order: by the line's own time, then its keys. */
const custodyOrder = <Row extends { shipmentId: string; batchId: string; eventId: string }>(
  timeOf: (row: Row) => string,
) =>
  byColumns<Row>(
    timeOf,
    (row) => row.shipmentId,
    (row) => row.batchId,
    (row) => row.eventId,
  );

/** The counting BatchProduced of each batch among `batchIds` that has one. */
async function findBatches(store: Store, batchIds: readonly string[]): Promise<BatchRow[]> {
  if (batchIds.length === 0) return [];
  return queryInChunks<BatchRow>(
    store,
    `SELECT batch_id AS batchId, event_id AS eventId, product_id AS productId,
       product_name AS productName, producer, operator, quantity, unit, produced_at AS producedAt,
       CAST(event_id IN (SELECT event_id FROM derivations_by_output FINAL
                         WHERE output_batch_id IN {ids:Array(String)}) AS Bool) AS hasInputs
     FROM batches FINAL
     WHERE (batch_id, event_id) IN (${winningProductions('{ids:Array(String)}')})
     ORDER BY batchId`,
    'ids',
    batchIds,
    { order: byColumns((row) => row.batchId) },
  );
}

/** Every shipment line (BatchShipped) that names one of `batchIds`. */
async function findShipments(store: Store, batchIds: readonly string[]): Promise<ShipmentRow[]> {
  if (batchIds.length === 0) return [];
  return queryInChunks<ShipmentRow>(
    store,
    `SELECT shipment_id AS shipmentId, batch_id AS batchId, event_id AS eventId,
       from_party AS "from", to_party AS "to", operator, quantity, unit, shipped_at AS shippedAt
     FROM shipments FINAL
     WHERE batch_id IN {ids:Array(String)} AND ${NOT_RETRACTED}
     ORDER BY shippedAt, shipmentId, batchId, eventId`,
    'ids',
    batchIds,
    { order: custodyOrder((row) => row.shippedAt) },
  );
}

/** Every receipt line (BatchReceived) that names one of `batchIds`. */
async function findReceipts(store: Store, batchIds: readonly string[]): Promise<ReceiptRow[]> {
  if (batchIds.length === 0) return [];
  return queryInChunks<ReceiptRow>(
    store,
    `SELECT shipment_id AS shipmentId, batch_id AS batchId, event_id AS eventId, receiver,
       from_party AS "from", operator, quantity, unit, received_at AS receivedAt
     FROM receipts FINAL
     WHERE batch_id IN {ids:Array(String)} AND ${NOT_RETRACTED}
     ORDER BY receivedAt, shipmentId, batchId, eventId`,
    'ids',
    batchIds,
    { order: custodyOrder((row) => row.receivedAt) },
  );
}

async function findInspections(
  store: Store,
  batchIds: readonly string[],
): Promise<InspectionRow[]> {
  if (batchIds.length === 0) return [];
  return queryInChunks<InspectionRow>(
    store,
    `SELECT inspection_id AS inspectionId, batch_id AS batchId, event_id AS eventId, inspector,
       operator, kind, result, standard, report, findings, at
     FROM inspections FINAL
     WHERE batch_id IN {ids:Array(String)} AND ${NOT_RETRACTED}
     ORDER BY at, inspectionId, eventId`,
    'ids',
    batchIds,
    {
      order: byColumns(
        (row) => row.at,
        (row) => row.inspectionId,
        (row) => row.eventId,
      ),
    },
  );
}

/** The batches among `batchIds` that a live recall names (as a root or in a notice). */
async function findRecalledBatchIds(
  store: Store,
  batchIds: readonly string[],
): Promise<Set<string>> {
  if (batchIds.length === 0) return new Set();
  const rows = await queryInChunks<{ batchId: string }>(
    store,
    `SELECT DISTINCT batch_id AS batchId FROM recall_batches FINAL
     WHERE batch_id IN {ids:Array(String)} AND ${NOT_RETRACTED}
       AND recall_id IN (SELECT recall_id FROM (${LIVE_RECALLS}))`,
    'ids',
    batchIds,
  );
  return new Set(rows.map((row) => row.batchId));
}

/** The live recalls naming `batchIds`, each with its counting RecallInitiated and closure. */
async function findRecalls(store: Store, batchIds: readonly string[]): Promise<BatchRecallRow[]> {
  if (batchIds.length === 0) return [];
  const rows = await queryInChunks<Omit<BatchRecallRow, 'closedAt'> & { closedAt: string[] }>(
    store,
    `SELECT named.batch_id AS batchId, live.recall_id AS recallId, live.level AS level,
       live.mode AS mode, live.reason AS reason, live.initiated_by AS initiatedBy,
       live.started_at AS startedAt, closures.closed_at AS closedAt
     FROM (SELECT DISTINCT batch_id, recall_id FROM recall_batches FINAL
           WHERE batch_id IN {ids:Array(String)} AND ${NOT_RETRACTED}) AS named
     INNER JOIN (${LIVE_RECALLS}) AS live ON live.recall_id = named.recall_id
     LEFT JOIN (SELECT recall_id, arraySort(groupArray(closed_at)) AS closed_at
                FROM (${LIVE_CLOSURES}) GROUP BY recall_id) AS closures
       ON closures.recall_id = named.recall_id
     ORDER BY batchId, startedAt, recallId`,
    'ids',
    batchIds,
    {
      order: byColumns(
        (row) => row.batchId,
        (row) => row.startedAt,
        (row) => row.recallId,
      ),
    },
  );
  // A recall without a closure joins an empty array (join_use_nulls is off): open.
  return rows.map((row) => ({ ...row, closedAt: row.closedAt[0] ?? null }));
}

/** Whether any event, retracted or not, names the batch: the test for a 404. */
async function batchIsKnown(store: Store, batchId: string): Promise<boolean> {
  const rows = await store.query<{ known: number }>(
    `SELECT 1 AS known FROM batch_events WHERE batch_id = {id:String} LIMIT 1`,
    { id: batchId },
  );
  return rows.length > 0;
}

/** Every event that names the batch, retracted ones included and marked, in event-time order. */
async function findTimeline(store: Store, batchId: string): Promise<TimelineRow[]> {
  return store.query<TimelineRow>(
    `SELECT be.event_id AS eventId, be.event_type AS eventType, be.event_time AS eventTime,
       e.recorded_at AS recordedAt, be.party AS party, e.operator AS operator,
       e.location_gln AS locationGln, e.location_site_id AS locationSiteId,
       e.location_name AS locationName, e.payload AS payload,
       CAST(be.event_id IN (SELECT target_event_id FROM retractions FINAL) AS Bool) AS retracted
     FROM (SELECT event_id, event_type, event_time, party FROM batch_events FINAL
           WHERE batch_id = {id:String}) AS be
     LEFT JOIN (SELECT * FROM events FINAL
                WHERE event_id IN (SELECT event_id FROM batch_events WHERE batch_id = {id:String})) AS e
       ON e.event_id = be.event_id
     ORDER BY eventTime, recordedAt, eventId
     SETTINGS join_use_nulls = 1`,
    { id: batchId },
  );
}

/** The trace reads as ClickHouse SQL on the store; each read is one statement. */
export function createStoreTraceReads(store: Store): TraceReads {
  return {
    derivations: (direction, batchIds) => findDerivations(store, direction, batchIds),
    batches: (batchIds) => findBatches(store, batchIds),
    shipments: (batchIds) => findShipments(store, batchIds),
    receipts: (batchIds) => findReceipts(store, batchIds),
    inspections: (batchIds) => findInspections(store, batchIds),
    recalledBatchIds: (batchIds) => findRecalledBatchIds(store, batchIds),
    recalls: (batchIds) => findRecalls(store, batchIds),
    batchIsKnown: (batchId) => batchIsKnown(store, batchId),
    timeline: (batchId) => findTimeline(store, batchId),
    unresolvedLinks: (eventIds) => findUnresolvedLinks(store, eventIds),
  };
}

async function findUnresolvedLinks(
  store: Store,
  eventIds: readonly string[],
): Promise<UnresolvedLinkRow[]> {
  if (eventIds.length === 0) return [];
  const rows = await queryInChunks<UnresolvedLinkRow>(
    store,
    `SELECT DISTINCT u.epcis_event_id AS epcisEventId, u.path AS path, u.id AS id, u.reason AS reason
     FROM epcis_unresolved AS u FINAL
     INNER JOIN (SELECT epcis_event_id FROM epcis_events FINAL
                 WHERE declared = 0 AND hasAny(derived_event_ids, {ids:Array(String)})) AS e
       ON u.epcis_event_id = e.epcis_event_id
     ORDER BY epcisEventId, path, id, reason`,
    'ids',
    eventIds,
  );
  if (eventIds.length <= ID_CHUNK) return rows;
  // An EPCIS event standing for ids in two parts is found by both: distinct again, then sorted.
  const distinct = new Map(rows.map((row) => [JSON.stringify(row), row]));
  return [...distinct.values()].sort(
    byColumns(
      (row) => row.epcisEventId,
      (row) => row.path,
      (row) => row.id,
      (row) => row.reason,
    ),
  );
}
