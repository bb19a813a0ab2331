/**
 * The trace reads answered from the serving index: the same rows, in the same order, as the
 * ClickHouse queries of the trace read model (a property test compares the two on random graphs).
 * Each read is a handful of B-tree range scans per batch, done synchronously: microseconds, where
 * a store statement costs milliseconds and waits its turn.
 */
import type {
  BatchRecallRow,
  BatchRow,
  DerivationRow,
  InspectionRow,
  ReceiptRow,
  ShipmentRow,
  TimelineRow,
  TraceReads,
} from '../trace/trace-reads.js';
import type { WalkDirection } from '../trace/walk.js';
import type { Database } from 'lmdb';
import type { LmdbServingIndex } from './lmdb-serving-index.js';
import {
  prefixRange,
  type ServingKey,
  type ServingTable,
  type ServingValues,
} from './serving-rows.js';
import { entries as scan, keysWithPrefixes, recallIsLive } from './lmdb-scans.js';
import { lmdbUnresolvedLinks } from './lmdb-unresolved-links.js';
import { turnsByWalk } from './turns-by-walk.js';
import { byColumns } from './utf8-order.js';

const unique = (ids: readonly string[]) => [...new Set(ids)];

/** Recording order, as LIVE_RECALLS picks the counting RecallInitiated: time, then event id. */
const earlierRecorded = byColumns<{ eventId: string; value: { recordedAt: string } }>(
  (row) => row.value.recordedAt,
  (row) => row.eventId,
);

/**
 * A read of this many ids or more waits for a turn of the event loop of its own. The reads are
 * synchronous and a trace's awaits between them are microtasks, so a ~1 000-node trace walked with
 * nothing kept held the thread for its whole walk (about 40 ms), and every other request waited
 * behind it: `/healthz` at one client answered at p50 1.1 s while 16 clients walked such traces.
 * Letting the loop turn before each such read was not enough: sixteen walks each took their turn in
 * the same one, and `/healthz` still waited for sixteen reads and the assemblies after them. So the
 * large reads queue, and each turn runs one of them (and the walk it answers, up to that walk's
 * next read). A trace of tens of batches reads straight through, as before.
 *
 * The queue serves the walk that began first first (`forOneWalk`): served in the order asked, the
 * reads of sixteen walks interleaved and each walk stayed half done, holding its rows, until the
 * last finished. On the 1M-batch graph, 16 clients walking ~1 000-node traces (three alternated
 * 12 s runs each): with no turns 21–22 a second, p99 3.0–4.6 s; one read a turn in the order asked
 * 16–18, p99 1.0–1.6 s; walk by walk 17–19, p99 1.04–1.21 s. The turns cost the walks some of their
 * rate, which the other requests get: beside them `/healthz` waits p50 6 ms instead of hundreds.
 */
export const YIELD_AT_IDS = 200;

/** The trace read model over the serving index, as the port the trace API and recall scope take. */
export function createLmdbTraceReads(index: LmdbServingIndex): TraceReads {
  const sync = lmdbReadsOf(index);
  const turns = turnsByWalk();
  /** The reads, those of many ids in the turns of `walk` (each read a walk of its own if none). */
  const readsOf = (walk?: number): TraceReads => {
    // Each read finishes synchronously; a throw becomes a rejection, as from the store.
    const promised =
      <A extends unknown[], R>(read: (...args: A) => R) =>
      (...args: A): Promise<R> => {
        const ids = args.find((arg): arg is readonly unknown[] => Array.isArray(arg));
        if ((ids?.length ?? 0) >= YIELD_AT_IDS)
          return turns.inItsTurn(walk ?? turns.newWalk(), () => read(...args));
        return new Promise((resolve) => resolve(read(...args)));
      };
    return {
      derivations: promised(sync.derivations),
      batches: promised(sync.batches),
      shipments: promised(sync.shipments),
      receipts: promised(sync.receipts),
      inspections: promised(sync.inspections),
      recalledBatchIds: promised(sync.recalledBatchIds),
      recalls: promised(sync.recalls),
      batchIsKnown: promised(sync.batchIsKnown),
      timeline: promised(sync.timeline),
      unresolvedLinks: promised(unresolvedLinks),
      forOneWalk: () => readsOf(turns.newWalk()),
    };
  };
  const unresolvedLinks = lmdbUnresolvedLinks(index);
  return readsOf();
}

/** The reads themselves, synchronous: range scans of the index. */
function lmdbReadsOf(index: LmdbServingIndex) {
  const { db, isRetracted } = index;

  const entries = <T extends ServingTable>(table: T, prefix: string) => scan(index, table, prefix);

  /**
   * The lines of a table keyed `[batchId, id, eventId]` (a shipment, receipt or inspection line)
   * that name one of `batchIds` and whose event stands; the value holds the row's other columns.
   */
  const liveLines = <T extends 'shipments' | 'receipts' | 'inspections', R>(
    table: T,
    batchIds: readonly string[],
    row: (batchId: string, id: string, eventId: string, value: ServingValues[T]) => R,
  ): R[] => {
    // Loops over the ranges themselves rather than spreads, flatMaps and generators: a 1 000-node
    // trace reads thousands of lines.
    const rows: R[] = [];
    const lines = db[table] as Database<ServingValues[T], ServingKey | string>;
    for (const batchId of unique(batchIds)) {
      for (const { key: parts, value } of lines.getRange(prefixRange(batchId))) {
        const eventId = (parts as ServingKey)[2] ?? '';
        if (!isRetracted(eventId))
          rows.push(row(batchId, (parts as ServingKey)[1] ?? '', eventId, value));
      }
    }
    return rows;
  };

  /**
   * Shipment and receipt lines are listed in the store's order: by the line's own time, then
   * shipment, batch and event.
   */
  const custodyOrder = <R extends { shipmentId: string; batchId: string; eventId: string }>(
    timeOf: (row: R) => string,
  ) =>
    byColumns<R>(
      timeOf,
      (row) => row.shipmentId,
      (row) => row.batchId,
      (row) => row.eventId,
    );
  const shipmentOrder = custodyOrder<ShipmentRow>((row) => row.shippedAt);
  const receiptOrder = custodyOrder<ReceiptRow>((row) => row.receivedAt);
  const inspectionOrder = byColumns<InspectionRow>(
    (row) => row.at,
    (row) => row.inspectionId,
    (row) => row.eventId,
  );

  /** The counting BatchProduced of a batch: the earliest recorded that is not retracted. */
  const winningProduction = (batchId: string) => {
    for (const { parts, value } of entries('productions', batchId)) {
      const eventId = parts[2] ?? '';
      if (!isRetracted(eventId)) return { eventId, value };
    }
    return undefined;
  };

  /** The event id of a batch's counting BatchProduced, read from the keys alone. */
  const winningProductionId = (batchId: string): string | undefined => {
    for (const parts of db.productions.getKeys(prefixRange(batchId))) {
      const eventId = (parts as ServingKey)[2] ?? '';
      if (!isRetracted(eventId)) return eventId;
    }
    return undefined;
  };

  /**
   * The counting RecallInitiated of a recall (projection-rules' LIVE_RECALLS): the earliest
   * recorded that is not retracted; the recall exists while there is one.
   */
  const countingInitiation = (recallId: string) => {
    let counting: { eventId: string; value: ServingValues['recallInitiations'] } | undefined;
    for (const { parts, value } of entries('recallInitiations', recallId)) {
      const candidate = { eventId: parts[1] ?? '', value };
      if (isRetracted(candidate.eventId)) continue;
      if (!counting || earlierRecorded(candidate, counting) < 0) counting = candidate;
    }
    return counting;
  };

  /** When the earliest standing RecallClosed of a recall happened; null while it is open. */
  const closedAt = (recallId: string): string | null => {
    let earliest: string | null = null;
    for (const { parts, value } of entries('recallClosures', recallId)) {
      if (isRetracted(parts[1] ?? '')) continue;
      if (earliest === null || value.closedAt < earliest) earliest = value.closedAt;
    }
    return earliest;
  };

  /** The recall ids that name a batch through a standing row, in key order. */
  const recallIdsOf = (batchId: string): string[] => {
    const ids = new Set<string>();
    for (const { parts } of entries('recallBatches', batchId)) {
      const [, recallId = '', eventId = ''] = parts;
      if (!isRetracted(eventId)) ids.add(recallId);
    }
    return [...ids];
  };

  const derivationRow = (
    input: string,
    output: string,
    eventId: string,
    value: ServingValues['derivationsByInput'],
  ): DerivationRow => ({
    input,
    output,
    eventId,
    party: value.party,
    operator: value.operator,
    quantity: value.quantity,
    unit: value.unit,
    at: value.at,
  });

  return {
    derivations: (direction: WalkDirection, batchIds: readonly string[]): DerivationRow[] => {
      const rows: DerivationRow[] = [];
      const table = direction === 'downstream' ? 'derivationsByInput' : 'derivationsByOutput';
      for (const id of unique(batchIds)) {
        for (const { parts, value } of entries(table, id)) {
          const [, other = '', eventId = ''] = parts;
          const [input, output] = direction === 'downstream' ? [id, other] : [other, id];
          if (winningProductionId(output) !== eventId) continue;
          rows.push(derivationRow(input, output, eventId, value));
        }
      }
      return rows.sort(
        byColumns(
          (row) => row.input,
          (row) => row.output,
          (row) => row.eventId,
        ),
      );
    },

    batches: (batchIds: readonly string[]): BatchRow[] => {
      const rows: BatchRow[] = [];
      for (const batchId of unique(batchIds)) {
        const won = winningProduction(batchId);
        if (!won) continue;
        const { value } = won;
        rows.push({
          batchId,
          eventId: won.eventId,
          productId: value.productId,
          productName: value.productName,
          producer: value.producer,
          operator: value.operator,
          quantity: value.quantity,
          unit: value.unit,
          producedAt: value.producedAt,
          hasInputs: value.hasInputs,
        });
      }
      return rows.sort(byColumns((row) => row.batchId));
    },

    // The rows are written out field by field: a spread of the stored value into a literal
    // copies each property through the runtime, several times the cost of the rest of a line.
    shipments: (batchIds: readonly string[]): ShipmentRow[] =>
      liveLines('shipments', batchIds, (batchId, shipmentId, eventId, value) => ({
        shipmentId,
        batchId,
        eventId,
        from: value.from,
        to: value.to,
        operator: value.operator,
        quantity: value.quantity,
        unit: value.unit,
        shippedAt: value.shippedAt,
      })).sort(shipmentOrder),

    receipts: (batchIds: readonly string[]): ReceiptRow[] =>
      liveLines('receipts', batchIds, (batchId, shipmentId, eventId, value) => ({
        shipmentId,
        batchId,
        eventId,
        receiver: value.receiver,
        from: value.from,
        operator: value.operator,
        quantity: value.quantity,
        unit: value.unit,
        receivedAt: value.receivedAt,
      })).sort(receiptOrder),

    inspections: (batchIds: readonly string[]): InspectionRow[] =>
      liveLines('inspections', batchIds, (batchId, inspectionId, eventId, value) => ({
        inspectionId,
        batchId,
        eventId,
        inspector: value.inspector,
        operator: value.operator,
        kind: value.kind,
        result: value.result,
        standard: value.standard,
        report: value.report,
        findings: value.findings,
        at: value.at,
      })).sort(inspectionOrder),

    recalledBatchIds: (batchIds: readonly string[]): Set<string> => {
      const recalled = new Set<string>();
      for (const [batchId = '', recallId = '', eventId = ''] of keysWithPrefixes(
        index,
        'recallBatches',
        new Set(batchIds),
      )) {
        if (recalled.has(batchId) || isRetracted(eventId)) continue;
        if (recallIsLive(index, recallId)) recalled.add(batchId);
      }
      return recalled;
    },

    recalls: (batchIds: readonly string[]): BatchRecallRow[] => {
      const rows: BatchRecallRow[] = [];
      for (const batchId of unique(batchIds)) {
        for (const recallId of recallIdsOf(batchId)) {
          const counting = countingInitiation(recallId);
          if (!counting) continue;
          const { initiatedBy, level, mode, reason, startedAt } = counting.value;
          rows.push({
            batchId,
            recallId,
            level,
            mode,
            reason,
            initiatedBy,
            startedAt,
            closedAt: closedAt(recallId),
          });
        }
      }
      return rows.sort(
        byColumns(
          (row) => row.batchId,
          (row) => row.startedAt,
          (row) => row.recallId,
        ),
      );
    },

    batchIsKnown: (batchId: string): boolean => {
      for (const _entry of entries('batchEvents', batchId)) return true;
      return false;
    },

    timeline: (batchId: string): TimelineRow[] => {
      const rows: TimelineRow[] = [];
      for (const { parts, value } of entries('batchEvents', batchId)) {
        const [, eventTime = '', eventId = ''] = parts;
        const event = db.events.get(eventId);
        rows.push({
          eventId,
          eventType: value.eventType,
          eventTime,
          recordedAt: event?.recordedAt ?? null,
          party: value.party,
          operator: event?.operator ?? null,
          locationGln: event?.locationGln ?? null,
          locationSiteId: event?.locationSiteId ?? null,
          locationName: event?.locationName ?? null,
          payload: event?.payload ?? null,
          retracted: isRetracted(eventId),
        });
      }
      return rows.sort(
        byColumns(
          (row) => row.eventTime,
          (row) => row.recordedAt,
          (row) => row.eventId,
        ),
      );
    },
  };
}
