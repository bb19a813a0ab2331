/**
 * The EPCIS query over both sources — EPCIS events as captured and native events as exported —
 * as one list in event-time order (ties by event ID), a page at a time. A page token is the
 * position of the last event answered, so a page never repeats or skips an event however the
 * store grows between requests.
 */
import { readsEverything, type Party } from '../../common/access/party-directory.js';
import { isExported, nativeToEpcis, type Retraction } from '../../common/epcis/from-native.js';
import type { EpcisQuery } from '../../common/epcis/query-params.js';
import type { SuyuanEvent } from '../../common/events/event-types.generated.js';
import { batchesNamedBy } from '../../common/events/keys.js';
import { SuyuanError } from '../../common/errors.js';
import type { Store } from '../../common/store/store.js';
import type { TraceReads } from '../../common/trace/trace-reads.js';
import {
  capturedConditions,
  capturedVisibility,
  nativeConditions,
  nativeVisibility,
  Params,
} from './query-conditions.js';

/** Where a page starts: after this event (time, then event ID). */
export interface PagePosition {
  readonly time: string;
  readonly key: string;
}

export interface EpcisPage {
  readonly events: Array<Record<string, unknown>>;
  /** The document contexts of the captured events on the page (their extension prefixes). */
  readonly contexts: unknown[];
  /**
   * The log events the page is made of (their proofs are its evidence): each captured event's
   * EpcisEventCaptured record, each native event, and the retraction a native event shows.
   */
  readonly recordIds: string[];
  /** Where the next page starts, when there is one. */
  readonly next: PagePosition | undefined;
}

export const encodePosition = (position: PagePosition): string =>
  Buffer.from(JSON.stringify([position.time, position.key])).toString('base64url');

export function decodePosition(token: string): PagePosition {
  try {
    const [time, key] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof time === 'string' && typeof key === 'string' && !Number.isNaN(Date.parse(time))) {
      return { time, key };
    }
  } catch {
    // answered below
  }
  throw new SuyuanError('invalid_request', 'nextPageToken: not a token this server gave', {
    details: [{ path: 'nextPageToken', message: 'not a token this server gave' }],
  });
}

const START: PagePosition = { time: '1970-01-01T00:00:00.000Z', key: '' };

interface CapturedRow {
  readonly key: string;
  readonly recordId: string;
  readonly eventTime: string;
  readonly recordTime: string;
  readonly event: string;
  readonly context: string;
}

interface NativeRow {
  readonly key: string;
  readonly eventId: string;
  readonly eventTime: string;
}

interface Candidate {
  readonly time: string;
  readonly key: string;
  readonly captured?: CapturedRow;
  readonly native?: NativeRow;
}

async function capturedCandidates(
  store: Store,
  caller: Party,
  query: EpcisQuery,
  after: PagePosition,
  limit: number,
): Promise<Candidate[]> {
  const params = new Params();
  const where = capturedConditions(query, params);
  if (!readsEverything(caller)) where.push(capturedVisibility(params, caller.partyId));
  where.push(
    `(event_time, epcis_event_id) > (${params.time(after.time)}, ${params.add(after.key, 'String')})`,
  );
  const rows = await store.query<CapturedRow>(
    `SELECT epcis_event_id AS key, event_id AS recordId, event_time AS eventTime, record_time AS recordTime, event, context
     FROM epcis_events FINAL WHERE ${where.join(' AND ')}
     ORDER BY event_time, epcis_event_id LIMIT ${params.add(limit, 'UInt32')}`,
    params.values,
  );
  return rows.map((row) => ({ time: iso(row.eventTime), key: row.key, captured: row }));
}

async function nativeCandidates(
  store: Store,
  caller: Party,
  query: EpcisQuery,
  after: PagePosition,
  limit: number,
): Promise<Candidate[]> {
  const params = new Params();
  const where = nativeConditions(query, params);
  if (!readsEverything(caller)) where.push(nativeVisibility(params, caller.partyId));
  where.push(
    `(event_time, concat('urn:uuid:', event_id)) > (${params.time(after.time)}, ${params.add(after.key, 'String')})`,
  );
  const rows = await store.query<NativeRow>(
    `SELECT concat('urn:uuid:', event_id) AS key, event_id AS eventId, event_time AS eventTime
     FROM epcis_native_events FINAL WHERE ${where.join(' AND ')}
     ORDER BY event_time, key LIMIT ${params.add(limit, 'UInt32')}`,
    params.values,
  );
  return rows.map((row) => ({ time: iso(row.eventTime), key: row.key, native: row }));
}

const iso = (time: string) => new Date(time).toISOString();
const compare = (a: Candidate, b: Candidate) =>
  a.time < b.time ? -1 : a.time > b.time ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/** A captured event as it came, with the eventID it is known by and its record time. */
function capturedEvent(row: CapturedRow): Record<string, unknown> {
  const event = JSON.parse(row.event) as Record<string, unknown>;
  return { ...event, eventID: event.eventID ?? row.key, recordTime: iso(row.recordTime) };
}

/** What the query reads: the store, and the trace read model for the batches' products. */
export interface EpcisQueryDeps {
  readonly store: Store;
  readonly reads: Pick<TraceReads, 'batches'>;
}

/** The page's native events, exported: payloads, retractions and the products of their batches. */
async function exportNatives(deps: EpcisQueryDeps, rows: readonly NativeRow[]) {
  if (rows.length === 0) {
    return {
      exported: new Map<string, Record<string, unknown>>(),
      retractionIds: new Map<string, string>(),
    };
  }
  const ids = rows.map((row) => row.eventId);
  const [payloads, retractions] = await Promise.all([
    deps.store.query<{ eventId: string; payload: string }>(
      'SELECT event_id AS eventId, payload FROM events FINAL WHERE event_id IN {ids:Array(String)}',
      { ids },
    ),
    deps.store.query<{ target: string; eventId: string; at: string; reason: string }>(
      `SELECT target_event_id AS target, event_id AS eventId, at, reason FROM retractions FINAL
       WHERE target_event_id IN {ids:Array(String)} ORDER BY at LIMIT 1 BY target_event_id`,
      { ids },
    ),
  ]);
  const events = payloads.map((row) => JSON.parse(row.payload) as SuyuanEvent);
  const batches = await deps.reads.batches([...new Set(events.flatMap(batchesNamedBy))]);
  const productOf = new Map(batches.map((batch) => [batch.batchId, batch.productId]));
  const retracted = new Map<string, Retraction>(
    retractions.map((row) => [row.target, { at: iso(row.at), reason: row.reason }]),
  );
  const exported = new Map<string, Record<string, unknown>>();
  const retractionIds = new Map(retractions.map((row) => [row.target, row.eventId]));
  for (const event of events) {
    if (!isExported(event)) continue;
    const epcis = nativeToEpcis(
      event,
      (id) => productOf.get(id) ?? null,
      retracted.get(event.eventId),
    );
    exported.set(event.eventId, epcis);
  }
  return { exported, retractionIds };
}

export async function queryEpcisEvents(
  deps: EpcisQueryDeps,
  caller: Party,
  query: EpcisQuery,
  perPage: number,
  after: PagePosition = START,
): Promise<EpcisPage> {
  const [captured, natives] = await Promise.all([
    capturedCandidates(deps.store, caller, query, after, perPage + 1),
    nativeCandidates(deps.store, caller, query, after, perPage + 1),
  ]);
  const merged = [...captured, ...natives].sort(compare);
  const page = merged.slice(0, perPage);
  const { exported, retractionIds } = await exportNatives(
    deps,
    page.flatMap((candidate) => candidate.native ?? []),
  );
  const events = page.flatMap((candidate) => {
    if (candidate.captured) return [capturedEvent(candidate.captured)];
    const native = exported.get(candidate.native?.eventId ?? '');
    return native ? [native] : [];
  });
  const last = page.at(-1);
  return {
    events,
    contexts: page.flatMap((candidate) =>
      candidate.captured ? [JSON.parse(candidate.captured.context) as unknown] : [],
    ),
    next: merged.length > perPage && last ? { time: last.time, key: last.key } : undefined,
    recordIds: page.flatMap((candidate) => {
      if (candidate.captured) return [candidate.captured.recordId];
      const id = candidate.native?.eventId ?? '';
      if (!exported.has(id)) return [];
      const retraction = retractionIds.get(id);
      return retraction === undefined ? [id] : [id, retraction];
    }),
  };
}
