/**
 * What the serving index keeps (docs/adr/0001-serving-path.md): one LMDB table per store table the
 * online reads need, keyed by that table's sorting key, and the puts of a projected batch.
 */
import type { ProjectionRows } from '../projection/projection.js';

/** What each table keeps beside its key: the store row's columns that are not in the key. */
export interface ServingValues {
  productions: {
    productId: string;
    productName: string;
    producer: string;
    operator: string | null;
    quantity: number;
    unit: string;
    producedAt: string;
    hasInputs: boolean;
  };
  derivationsByInput: DerivationValue;
  derivationsByOutput: DerivationValue;
  shipments: {
    from: string;
    to: string;
    operator: string | null;
    quantity: number;
    unit: string;
    shippedAt: string;
  };
  receipts: {
    receiver: string;
    from: string;
    operator: string | null;
    quantity: number;
    unit: string;
    receivedAt: string;
  };
  inspections: {
    inspector: string;
    operator: string | null;
    kind: string;
    result: string;
    standard: string | null;
    report: string | null;
    findings: string;
    at: string;
  };
  recallBatches: true;
  /**
   * The RecallInitiated events of each recall id: it exists while one is not retracted, and the
   * earliest recorded of those counts.
   */
  recallInitiations: {
    initiatedBy: string;
    level: number;
    mode: string;
    reason: string;
    startedAt: string;
    recordedAt: string;
  };
  /** The RecallClosed events of each recall id, keyed [recallId, eventId]. */
  recallClosures: { closedAt: string };
  /** The recipient of each notice, by notice id and the event that issued it. */
  recallNotices: string;
  batchEvents: { eventType: string; party: string };
  events: {
    eventType: string;
    eventTime: string;
    recordedAt: string;
    party: string;
    operator: string | null;
    locationGln: string | null;
    locationSiteId: string | null;
    locationName: string | null;
    payload: string;
  };
  retractions: true;
  /**
   * The native events an EPCIS event stood for when captured, keyed [derivedEventId,
   * epcisEventId, eventId] (the reverse of `epcis_events.derived_event_ids`).
   */
  epcisDerivations: true;
  /** The EPCIS events an error declaration took back, keyed [epcisEventId, eventId]. */
  epcisDeclarations: true;
  /** The reason of each unresolved link, keyed [epcisEventId, path, id, eventId]. */
  epcisUnresolved: string;
  /**
   * The event index (event id → fingerprint of its body and the party that recorded it) that
   * settles idempotency where the log does not: only a distributed ingest instance's replica
   * keeps it (services/ingest/ingest-replica.ts); the serving index gets no such rows.
   */
  eventIndex: { bodyHash: string; party: string };
  positions: number;
  /** `format`: the layout of the index, so a process with another layout rebuilds it. */
  meta: number;
}

interface DerivationValue {
  party: string;
  operator: string | null;
  quantity: number;
  unit: string | null;
  at: string;
}

/** The projection tables the serving index keeps. */

export const TABLES = [
  'productions',
  'derivationsByInput',
  'derivationsByOutput',
  'shipments',
  'receipts',
  'inspections',
  'recallBatches',
  'recallInitiations',
  'recallClosures',
  'recallNotices',
  'batchEvents',
  'events',
  'retractions',
  'epcisDerivations',
  'epcisDeclarations',
  'epcisUnresolved',
  'eventIndex',
  'positions',
  'meta',
] as const;
export type ServingTable = (typeof TABLES)[number];

/**
 * Keys are arrays of strings, which LMDB's ordered-binary encoding writes as the UTF-8 parts
 * joined by a zero byte (no identifier may contain one): byte order is the store's order.
 */
export type ServingKey = string[];
export const key = (...parts: string[]): ServingKey => parts;
/**
 * Every key whose first part is `prefix`: from `[prefix, '']` (the prefix and a zero byte) to the
 * prefix and a one byte, which sorts before any longer first part ("B1" never reaches "B10").
 */
export const prefixRange = (prefix: string) => ({ start: [prefix, ''], end: `${prefix}\u0001` });

type Row = Record<string, unknown>;
const text = (row: Row, column: string) => String(row[column]);

/** The puts of one projected batch, table by table. */
export function putsOf(rows: ProjectionRows): Array<[ServingTable, ServingKey | string, unknown]> {
  const puts: Array<[ServingTable, ServingKey | string, unknown]> = [];
  const withInputs = new Set(rows.derivations_by_input.map((row) => text(row, 'event_id')));
  for (const row of rows.batches) {
    puts.push([
      'productions',
      key(text(row, 'batch_id'), text(row, 'recorded_at'), text(row, 'event_id')),
      {
        productId: row.product_id,
        productName: row.product_name,
        producer: row.producer,
        operator: row.operator,
        quantity: row.quantity,
        unit: row.unit,
        producedAt: row.produced_at,
        hasInputs: withInputs.has(text(row, 'event_id')),
      },
    ]);
  }
  for (const row of rows.derivations_by_input) {
    const value = {
      party: row.party,
      operator: row.operator,
      quantity: row.quantity,
      unit: row.unit,
      at: row.at,
    };
    const [input, output, eventId] = [row.input_batch_id, row.output_batch_id, row.event_id].map(
      String,
    ) as [string, string, string];
    puts.push(['derivationsByInput', key(input, output, eventId), value]);
    puts.push(['derivationsByOutput', key(output, input, eventId), value]);
  }
  for (const row of rows.shipments) {
    puts.push([
      'shipments',
      key(text(row, 'batch_id'), text(row, 'shipment_id'), text(row, 'event_id')),
      {
        from: row.from_party,
        to: row.to_party,
        operator: row.operator,
        quantity: row.quantity,
        unit: row.unit,
        shippedAt: row.shipped_at,
      },
    ]);
  }
  for (const row of rows.receipts) {
    puts.push([
      'receipts',
      key(text(row, 'batch_id'), text(row, 'shipment_id'), text(row, 'event_id')),
      {
        receiver: row.receiver,
        from: row.from_party,
        operator: row.operator,
        quantity: row.quantity,
        unit: row.unit,
        receivedAt: row.received_at,
      },
    ]);
  }
  for (const row of rows.inspections) {
    puts.push([
      'inspections',
      key(text(row, 'batch_id'), text(row, 'inspection_id'), text(row, 'event_id')),
      {
        inspector: row.inspector,
        operator: row.operator,
        kind: row.kind,
        result: row.result,
        standard: row.standard,
        report: row.report,
        findings: row.findings,
        at: row.at,
      },
    ]);
  }
  for (const row of rows.recall_batches) {
    puts.push([
      'recallBatches',
      key(text(row, 'batch_id'), text(row, 'recall_id'), text(row, 'event_id')),
      true,
    ]);
  }
  for (const row of rows.recalls) {
    puts.push([
      'recallInitiations',
      key(text(row, 'recall_id'), text(row, 'event_id')),
      {
        initiatedBy: row.initiated_by,
        level: row.level,
        mode: row.mode,
        reason: row.reason,
        startedAt: row.started_at,
        recordedAt: row.recorded_at,
      },
    ]);
  }
  for (const row of rows.recall_closures) {
    const closure = key(text(row, 'recall_id'), text(row, 'event_id'));
    puts.push(['recallClosures', closure, { closedAt: row.closed_at }]);
  }
  for (const row of rows.recall_notices) {
    puts.push([
      'recallNotices',
      key(text(row, 'notice_id'), text(row, 'event_id')),
      text(row, 'recipient'),
    ]);
  }
  for (const row of rows.batch_events) {
    puts.push([
      'batchEvents',
      key(text(row, 'batch_id'), text(row, 'event_time'), text(row, 'event_id')),
      { eventType: row.event_type, party: row.party },
    ]);
  }
  for (const row of rows.events) {
    puts.push([
      'events',
      text(row, 'event_id'),
      {
        eventType: row.event_type,
        eventTime: row.event_time,
        recordedAt: row.recorded_at,
        party: row.party,
        operator: row.operator,
        locationGln: row.location_gln,
        locationSiteId: row.location_site_id,
        locationName: row.location_name,
        payload: row.payload,
      },
    ]);
  }
  for (const row of rows.event_index) {
    puts.push([
      'eventIndex',
      text(row, 'event_id'),
      { bodyHash: text(row, 'body_hash'), party: text(row, 'party') },
    ]);
  }
  for (const row of rows.retractions) {
    puts.push(['retractions', key(text(row, 'target_event_id'), text(row, 'event_id')), true]);
  }
  putEpcis(rows, puts);
  return puts;
}

/**
 * An EPCIS event's links, as the trace reads ask for them: by the native events it stood for,
 * unless an error declaration took it back (`epcis_events` keeps the declared row over the other).
 */
function putEpcis(rows: ProjectionRows, puts: Array<[ServingTable, ServingKey | string, unknown]>) {
  for (const row of rows.epcis_events) {
    const [epcisEventId, eventId] = [text(row, 'epcis_event_id'), text(row, 'event_id')];
    if (Number(row.declared) === 1) {
      puts.push(['epcisDeclarations', key(epcisEventId, eventId), true]);
      continue;
    }
    for (const derived of row.derived_event_ids as readonly string[]) {
      puts.push(['epcisDerivations', key(derived, epcisEventId, eventId), true]);
    }
  }
  for (const row of rows.epcis_unresolved) {
    const [epcisEventId, path, id] = ['epcis_event_id', 'path', 'id'].map((c) => text(row, c));
    puts.push([
      'epcisUnresolved',
      key(epcisEventId ?? '', path ?? '', id ?? '', text(row, 'event_id')),
      text(row, 'reason'),
    ]);
  }
}
