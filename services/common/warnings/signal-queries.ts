/**
 * The signals of risk early warning, as ClickHouse SQL over the projection of record: failure
 * rates and counts of inspections by product and by producer, failure rates by region (the
 * administrative division of the site the batch was made at, else of its producer as registered)
 * and by hazard (the one tested for); defect and complaint reports by product, consumer complaints
 * reporting illness by product, and complaints by the consumer's division — each over a sliding
 * window from `{since}`; and the failed batches (a failed inspection or any defect report) whose
 * upstream the common-cause signal walks. Retracted events and productions that do not count are
 * left out.
 */
import type { Store } from '../store/store.js';
import { queryInChunks } from '../store/query-in-chunks.js';
import { countingProductions, NOT_RETRACTED } from '../store/projection-rules.js';

/** One subject's figures in a window: what the rules judge. */
export interface SignalRow {
  readonly subject: string;
  readonly samples: number;
  readonly failures: number;
  readonly productId: string | null;
  readonly partyId: string | null;
  readonly inspectionEventIds: string[];
  readonly defectEventIds: string[];
  readonly batchIds: string[];
  readonly latestAt: string;
}

const SINCE = "parseDateTime64BestEffort({since:String}, 3, 'UTC')";

/**
 * The counting productions of `batchIds` (an SQL array or subquery): each batch's product and
 * producer, and its region — the division of the site it was made at when its production names
 * one (BatchProduced v3), else the one its producer registered with (parties.region), else null.
 */
export const productionsWithRegion = (batchIds: string): string => `SELECT b.batch_id AS batch_id,
    b.product_id AS product_id, b.producer AS producer, coalesce(b.region, p.region) AS region
  FROM (${countingProductions(batchIds)}) AS b
  LEFT JOIN (SELECT party_id, region FROM parties FINAL) AS p ON p.party_id = b.producer`;

/** The inspections since `{since}` with their batch's product, producer and region (productionsWithRegion), and their hazard. */
export const INSPECTIONS_IN_WINDOW = `SELECT i.event_id AS event_id, i.batch_id AS batch_id,
    i.result AS result, i.at AS at, b.product_id AS product_id, b.producer AS producer,
    b.region AS region, i.hazard AS hazard
  FROM (SELECT * FROM inspections FINAL WHERE at >= ${SINCE} AND ${NOT_RETRACTED}) AS i
  INNER JOIN (${productionsWithRegion(`(SELECT batch_id FROM inspections WHERE at >= ${SINCE})`)}) AS b
    ON b.batch_id = i.batch_id`;

/**
 * Inspections by `key`; subjects with at least one failure. An inspection without a region or a
 * hazard counts under none (the optional dimensions are left out, not lumped together).
 */
const inspectionSignal = (key: 'product_id' | 'producer' | 'region' | 'hazard') => `SELECT
    assumeNotNull(${key}) AS subject,
    count() AS samples, countIf(result = 'FAIL') AS failures,
    ${key === 'product_id' ? 'any(product_id)' : 'CAST(NULL AS Nullable(String))'} AS productId,
    ${key === 'producer' ? 'any(producer)' : 'CAST(NULL AS Nullable(String))'} AS partyId,
    arraySort(groupArrayIf(event_id, result = 'FAIL')) AS inspectionEventIds,
    CAST([] AS Array(String)) AS defectEventIds,
    arraySort(groupUniqArrayIf(batch_id, result = 'FAIL')) AS batchIds,
    maxIf(at, result = 'FAIL') AS latestAt
  FROM (${INSPECTIONS_IN_WINDOW}) WHERE ${key} IS NOT NULL
  GROUP BY subject HAVING failures > 0`;

/**
 * Defect and complaint reports (those `which` keeps) by the product of the batches they name, or
 * by the consumer's division a complaint names (DefectReported v2): the count of distinct reports.
 * (`which` must keep only reports with a complaint record for the division.)
 */
const defectSignal = (key: 'product' | 'consumer-region', which = '1') => `SELECT
    ${key === 'product' ? 'b.product_id' : 'assumeNotNull(d.complaint_region)'} AS subject,
    uniqExact(d.defect_id) AS samples, uniqExact(d.defect_id) AS failures,
    ${key === 'product' ? 'any(b.product_id)' : 'CAST(NULL AS Nullable(String))'} AS productId,
    CAST(NULL AS Nullable(String)) AS partyId,
    CAST([] AS Array(String)) AS inspectionEventIds,
    arraySort(groupUniqArray(d.event_id)) AS defectEventIds,
    arraySort(groupUniqArray(d.batch_id)) AS batchIds, max(d.at) AS latestAt
  FROM (SELECT * FROM defects FINAL WHERE at >= ${SINCE} AND ${NOT_RETRACTED} AND ${which}) AS d
  INNER JOIN (${countingProductions(`(SELECT batch_id FROM defects WHERE at >= ${SINCE})`)}) AS b
    ON b.batch_id = d.batch_id
  GROUP BY subject`;

export type TabularSignal =
  | 'failure-rate-by-product'
  | 'failure-rate-by-producer'
  | 'failure-rate-by-region'
  | 'failure-rate-by-hazard'
  | 'failures-by-producer'
  | 'defects-by-product'
  | 'illness-complaints-by-product'
  | 'complaints-by-region';

const SIGNAL_SQL: Record<TabularSignal, string> = {
  'failure-rate-by-product': inspectionSignal('product_id'),
  'failure-rate-by-producer': inspectionSignal('producer'),
  'failure-rate-by-region': inspectionSignal('region'),
  'failure-rate-by-hazard': inspectionSignal('hazard'),
  'failures-by-producer': inspectionSignal('producer'),
  'defects-by-product': defectSignal('product'),
  'illness-complaints-by-product': defectSignal(
    'product',
    "source = 'COMPLAINT' AND illness_reported = true",
  ),
  'complaints-by-region': defectSignal(
    'consumer-region',
    "source = 'COMPLAINT' AND complaint_region IS NOT NULL",
  ),
};

export async function findSignal(
  store: Store,
  signal: TabularSignal,
  since: Date,
): Promise<SignalRow[]> {
  const rows = await store.query<SignalRow>(SIGNAL_SQL[signal], { since: since.toISOString() });
  return rows.map((row) => ({
    ...row,
    samples: Number(row.samples),
    failures: Number(row.failures),
  }));
}

/** A failed batch in the window, with the events that failed it. */
export interface FailedBatch {
  readonly batchId: string;
  readonly inspectionEventIds: string[];
  readonly defectEventIds: string[];
  readonly latestAt: string;
}

export async function findFailedBatches(store: Store, since: Date): Promise<FailedBatch[]> {
  return store.query<FailedBatch>(
    `SELECT batch_id AS batchId, arraySort(groupArrayIf(event_id, kind = 'inspection')) AS inspectionEventIds,
       arraySort(groupArrayIf(event_id, kind = 'defect')) AS defectEventIds, max(at) AS latestAt
     FROM (
       SELECT batch_id, event_id, at, 'inspection' AS kind FROM inspections FINAL
       WHERE result = 'FAIL' AND at >= ${SINCE} AND ${NOT_RETRACTED}
       UNION ALL
       SELECT batch_id, event_id, at, 'defect' FROM defects FINAL
       WHERE at >= ${SINCE} AND ${NOT_RETRACTED}
     )
     GROUP BY batch_id ORDER BY batch_id`,
    { since: since.toISOString() },
  );
}

/** The inputs of `batchIds` (of their counting productions): one level of the upstream walk. */
export async function findInputsOf(
  store: Store,
  batchIds: readonly string[],
): Promise<Array<{ input: string; output: string }>> {
  if (batchIds.length === 0) return [];
  return queryInChunks(
    store,
    `SELECT input_batch_id AS input, output_batch_id AS output FROM derivations_by_output FINAL
     WHERE output_batch_id IN {ids:Array(String)}
       AND event_id IN (SELECT event_id FROM (${countingProductions('{ids:Array(String)}')}))`,
    'ids',
    batchIds,
  );
}

/** A batch's product, producer and region (productionsWithRegion). */
export interface Production {
  readonly productId: string;
  readonly producer: string;
  readonly region: string | null;
}

/** Product, producer and region of each batch, from its counting production. */
export async function findProductions(
  store: Store,
  batchIds: readonly string[],
): Promise<Map<string, Production>> {
  if (batchIds.length === 0) return new Map();
  const rows = await queryInChunks<Production & { batchId: string }>(
    store,
    `SELECT batch_id AS batchId, product_id AS productId, producer, region
     FROM (${productionsWithRegion('{ids:Array(String)}')})`,
    'ids',
    batchIds,
  );
  return new Map(rows.map((row) => [row.batchId, row]));
}

/** The region each of `partyIds` registered with, for those that gave one. */
export async function findPartyRegions(
  store: Store,
  partyIds: readonly string[],
): Promise<Map<string, string>> {
  if (partyIds.length === 0) return new Map();
  const rows = await queryInChunks<{ partyId: string; region: string }>(
    store,
    `SELECT party_id AS partyId, region FROM parties FINAL
     WHERE party_id IN {ids:Array(String)} AND region IS NOT NULL`,
    'ids',
    partyIds,
  );
  return new Map(rows.map((row) => [row.partyId, row.region]));
}
