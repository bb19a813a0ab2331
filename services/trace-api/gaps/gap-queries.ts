/**
 * Broken links (断链) and mass balance, as ClickHouse SQL over the projection of record
 * (infra/clickhouse/0001_trace_tables.sql). One query per kind, each a full pass over the tables
 * it reads, so the answer is the same whichever batch a regulator starts from; retracted events
 * and productions that do not count (projection-rules.ts) are left out everywhere.
 *
 * Every query yields the same columns: a key (the gap's subject, stable), the time of its latest
 * event, the parties, batches, shipment, transformation and events behind it, and the quantities
 * that do not balance.
 */
import type { GapKind } from '../../common/api/gaps.js';
import { ALL_COUNTING_PRODUCTIONS, NOT_RETRACTED } from '../../common/store/projection-rules.js';

/** The settings of the checks (SUYUAN_GAP_UNRECEIVED_AFTER, SUYUAN_GAP_MAX_YIELD). */
export interface GapRules {
  /** A shipment line not received this long after it was shipped is a gap. */
  readonly unreceivedAfterMs: number;
  /** Outputs may weigh at most this many times their inputs (same unit) before it is a gap. */
  readonly maxYield: number;
}

const NO_TEXT = 'CAST(NULL AS Nullable(String))';
const NO_NUMBER = 'CAST(NULL AS Nullable(Float64))';
const NO_QUANTITIES = `${NO_TEXT} AS unit, ${NO_NUMBER} AS qin, ${NO_NUMBER} AS qout`;

const LIVE_SHIPMENTS = `SELECT * FROM shipments FINAL WHERE ${NOT_RETRACTED}`;
const LIVE_RECEIPTS = `SELECT * FROM receipts FINAL WHERE ${NOT_RETRACTED}`;
/** Derivation edges of productions that count: a losing or retracted claim's inputs are not. */
const LIVE_DERIVATIONS = `SELECT * FROM derivations_by_input FINAL
  WHERE event_id IN (SELECT event_id FROM counting)`;
/** Each derivation edge with the unit of its input: the line's own, else the input batch's. */
const DERIVATIONS_WITH_UNITS = `SELECT d.party AS party, d.input_batch_id AS input,
    d.output_batch_id AS output, d.event_id AS event_id, d.quantity AS quantity, d.at AS at,
    coalesce(d.unit, nullIf(u.unit, '')) AS unit
  FROM (${LIVE_DERIVATIONS}) AS d
  LEFT JOIN (SELECT batch_id, unit FROM counting) AS u ON u.batch_id = d.input_batch_id`;

/** Shipment lines no receipt names (by shipment and batch), shipped before the cut-off. */
const UNRECEIVED_SHIPMENTS = `SELECT concat(shipment_id, '|', from_party, '|', to_party) AS key,
    max(shipped_at) AS at, [from_party, to_party] AS parties,
    arraySort(groupUniqArray(batch_id)) AS batchIds, shipment_id AS shipmentId,
    ${NO_TEXT} AS transformationEventId, arraySort(groupUniqArray(event_id)) AS eventIds,
    ${NO_QUANTITIES}
  FROM (${LIVE_SHIPMENTS})
  WHERE shipped_at < parseDateTime64BestEffort({cutoff:String}, 3, 'UTC')
    AND (shipment_id, batch_id) NOT IN (SELECT shipment_id, batch_id FROM (${LIVE_RECEIPTS}))
  GROUP BY shipment_id, from_party, to_party`;

/** Receipt lines no shipment names (by shipment and batch). */
const UNMATCHED_RECEIPTS = `SELECT concat(shipment_id, '|', from_party, '|', receiver) AS key,
    max(received_at) AS at, [from_party, receiver] AS parties,
    arraySort(groupUniqArray(batch_id)) AS batchIds, shipment_id AS shipmentId,
    ${NO_TEXT} AS transformationEventId, arraySort(groupUniqArray(event_id)) AS eventIds,
    ${NO_QUANTITIES}
  FROM (${LIVE_RECEIPTS})
  WHERE (shipment_id, batch_id) NOT IN (SELECT shipment_id, batch_id FROM (${LIVE_SHIPMENTS}))
  GROUP BY shipment_id, from_party, receiver`;

/** Inputs no counting production made: the batch first, then what was made from it. */
const UNPRODUCED_INPUTS = `SELECT input_batch_id AS key, max(at) AS at,
    arraySort(groupUniqArray(party)) AS parties,
    arrayConcat([input_batch_id], arraySort(groupUniqArray(output_batch_id))) AS batchIds,
    ${NO_TEXT} AS shipmentId, ${NO_TEXT} AS transformationEventId,
    arraySort(groupUniqArray(event_id)) AS eventIds, ${NO_QUANTITIES}
  FROM (${LIVE_DERIVATIONS})
  WHERE input_batch_id NOT IN (SELECT batch_id FROM counting)
  GROUP BY input_batch_id`;

/**
 * What each party had of each batch in each unit — produced, received — against what it shipped
 * and used as an input. Quantities in different units are never added: a party that received
 * kilograms and shipped cans has nothing in cans, and the cans do not balance.
 */
const OVER_SHIPPED = `SELECT concat(party, '|', batch_id, '|', unit) AS key, max(at) AS at,
    [party] AS parties, [batch_id] AS batchIds, ${NO_TEXT} AS shipmentId,
    ${NO_TEXT} AS transformationEventId, arraySort(groupUniqArray(event_id)) AS eventIds,
    CAST(unit AS Nullable(String)) AS unit,
    CAST(sumIf(quantity, flow = 'in') AS Nullable(Float64)) AS qin,
    CAST(sumIf(quantity, flow = 'out') AS Nullable(Float64)) AS qout
  FROM (
    SELECT producer AS party, batch_id, unit, quantity, event_id, produced_at AS at, 'in' AS flow
      FROM counting
    UNION ALL SELECT receiver, batch_id, unit, quantity, event_id, received_at, 'in'
      FROM (${LIVE_RECEIPTS})
    UNION ALL SELECT from_party, batch_id, unit, quantity, event_id, shipped_at, 'out'
      FROM (${LIVE_SHIPMENTS})
    UNION ALL SELECT party, input, coalesce(unit, ''), quantity, event_id, at, 'out'
      FROM (${DERIVATIONS_WITH_UNITS})
  )
  GROUP BY party, batch_id, unit
  HAVING sumIf(quantity, flow = 'out') > sumIf(quantity, flow = 'in') * (1 + 1e-9) + 1e-9`;

/**
 * Transformations whose output outweighs its inputs beyond the configured yield. Only those whose
 * every input is in the output's unit are judged: kilograms of powder make cans, which no yield
 * compares.
 */
const OVER_YIELD = `SELECT o.batch_id AS key, o.produced_at AS at, [o.producer] AS parties,
    arrayConcat([o.batch_id], arraySort(groupUniqArray(i.input))) AS batchIds,
    ${NO_TEXT} AS shipmentId, CAST(o.event_id AS Nullable(String)) AS transformationEventId,
    [o.event_id] AS eventIds, CAST(o.unit AS Nullable(String)) AS unit,
    CAST(sum(i.quantity) AS Nullable(Float64)) AS qin,
    CAST(o.quantity AS Nullable(Float64)) AS qout
  FROM (SELECT batch_id, event_id, producer, unit, quantity, produced_at FROM counting) AS o
  INNER JOIN (${DERIVATIONS_WITH_UNITS}) AS i ON i.event_id = o.event_id
  GROUP BY o.batch_id, o.produced_at, o.producer, o.event_id, o.unit, o.quantity
  HAVING countIf(ifNull(i.unit, '') != o.unit) = 0
    AND o.quantity > sum(i.quantity) * {maxYield:Float64} + 1e-9`;

const QUERY_OF: Record<GapKind, string> = {
  'unreceived-shipment': UNRECEIVED_SHIPMENTS,
  'unmatched-receipt': UNMATCHED_RECEIPTS,
  'unproduced-input': UNPRODUCED_INPUTS,
  'over-shipped': OVER_SHIPPED,
  'over-yield': OVER_YIELD,
};

/**
 * The gaps of one kind the caller sees (`party` empty: all of them), newest first, at most
 * `{limit}`, each row carrying how many there are in all.
 */
export const gapQuery = (kind: GapKind): string => `WITH counting AS (${ALL_COUNTING_PRODUCTIONS})
  SELECT key, at, parties, batchIds, shipmentId, transformationEventId, eventIds, unit, qin, qout,
    count() OVER () AS total
  FROM (${QUERY_OF[kind]})
  WHERE {party:String} = '' OR has(parties, {party:String})
  ORDER BY at DESC, key
  LIMIT {limit:UInt32}`;
