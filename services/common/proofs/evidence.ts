/**
 * Evidence for a set of events (docs/proofs.md): the latest signed checkpoint, the public keys,
 * and for each event its record's bytes as the log holds them, the event as the store holds it,
 * and the audit path from its leaf to the root its partition has in that checkpoint. The
 * verifier (tools/verify) needs nothing else: the leaf is the hash of the record's bytes, and the
 * stored event must be what those bytes decode to.
 */
import { SuyuanError } from '../errors.js';
import type { EventLog } from '../log/event-log.js';
import { queryInChunks } from '../store/query-in-chunks.js';
import type { Store } from '../store/store.js';
import { EVENTS_TOPIC } from '../topics.js';
import type { PublicSigningKey, SignedCheckpoint } from './checkpoint.js';
import { latestCheckpoint, readSigningKeys } from './checkpoint-store.js';
import { inclusionProof, nodeKey, nodesRead, type Hash } from './merkle.js';
import { findLeaves, readHeads, readNodes, type LeafPlace } from './proof-store.js';

export const EVIDENCE_FORMAT = 'suyuan-evidence/1';

export interface EventProof {
  readonly eventId: string;
  readonly partition: number;
  readonly offset: number;
  readonly leafIndex: number;
  /** Base64 of the record's value as the log holds it: the leaf's bytes. */
  readonly record: string;
  /** The event as the store holds it (what answers and reports are made of); null if it has none. */
  readonly event: Record<string, unknown> | null;
  readonly auditPath: readonly Hash[];
}

export interface Evidence {
  readonly format: typeof EVIDENCE_FORMAT;
  readonly checkpoint: SignedCheckpoint;
  readonly keys: readonly PublicSigningKey[];
  readonly proofs: readonly EventProof[];
}

export interface EvidenceDeps {
  readonly store: Store;
  readonly log: EventLog;
}

/**
 * The evidence for `eventIds`, against the latest checkpoint. An id the trees do not hold, or
 * that no checkpoint covers yet, is a `not_checkpointed` error naming it (retry: a checkpoint is
 * signed within SUYUAN_CHECKPOINT_INTERVAL_MS); an id never recorded at all is a `not_found`.
 */
export async function evidenceFor(
  deps: EvidenceDeps,
  eventIds: readonly string[],
): Promise<Evidence> {
  const ids = [...new Set(eventIds)];
  const [checkpoint, keys, leaves, heads] = await Promise.all([
    latestCheckpoint(deps.store),
    readSigningKeys(deps.store),
    findLeaves(deps.store, ids),
    readHeads(deps.store),
  ]);
  const sizes = new Map(checkpoint?.body.trees.map((tree) => [tree.partition, tree.size]) ?? []);
  const kept = new Map(heads.map((head) => [head.partition, head.size]));
  // Covered: signed, and stored as far as the checkpoint (a tree rebuilt from the log is not).
  const uncovered = ids.find((id) => {
    const leaf = leaves.get(id);
    if (!leaf) return true;
    const signedSize = sizes.get(leaf.partition) ?? 0;
    return leaf.leafIndex >= signedSize || (kept.get(leaf.partition) ?? 0) < signedSize;
  });
  if (!checkpoint || uncovered !== undefined) {
    throw new SuyuanError(
      'not_checkpointed',
      `eventId: ${uncovered ?? ids[0] ?? ''} is not in a signed checkpoint yet; retry in a few seconds`,
    );
  }
  const places = ids.map((id) => leaves.get(id) as LeafPlace);
  const [paths, records, events] = await Promise.all([
    auditPaths(deps.store, places, sizes),
    recordsAt(deps.log, places),
    storedEvents(deps.store, ids),
  ]);
  return {
    format: EVIDENCE_FORMAT,
    checkpoint,
    keys,
    proofs: places.map((place) => ({
      eventId: place.eventId,
      partition: place.partition,
      offset: place.offset,
      leafIndex: place.leafIndex,
      record: records.get(place.eventId) ?? '',
      event: events.get(place.eventId) ?? null,
      auditPath: paths.get(place.eventId) ?? [],
    })),
  };
}

/** Each leaf's audit path, reading each partition's nodes in one statement. */
async function auditPaths(
  store: Store,
  places: readonly LeafPlace[],
  sizes: ReadonlyMap<number, number>,
): Promise<Map<string, Hash[]>> {
  const paths = new Map<string, Hash[]>();
  for (const partition of new Set(places.map((place) => place.partition))) {
    const size = sizes.get(partition) ?? 0;
    const here = places.filter((place) => place.partition === partition);
    const needed = nodesRead((source) =>
      here.map((p) => inclusionProof(p.leafIndex, size, source)),
    );
    const nodes = await readNodes(store, partition, needed);
    for (const place of here) {
      paths.set(
        place.eventId,
        inclusionProof(place.leafIndex, size, (node) => {
          const hash = nodes.get(nodeKey(node));
          if (hash === undefined)
            throw new SuyuanError('internal', `tree node ${nodeKey(node)} missing`);
          return hash;
        }),
      );
    }
  }
  return paths;
}

/** Offsets closer than this are read in one range: a Kafka read costs a group join, not a record. */
const RANGE_GAP = 1_000;

/** Each place's record value (base64), reading each partition's nearby offsets in one range. */
async function recordsAt(
  log: EventLog,
  places: readonly LeafPlace[],
): Promise<Map<string, string>> {
  const records = new Map<string, string>();
  for (const partition of new Set(places.map((place) => place.partition))) {
    const wanted = places
      .filter((place) => place.partition === partition)
      .sort((a, b) => a.offset - b.offset);
    for (const range of offsetRanges(wanted)) {
      const first = range[0]!;
      const last = range.at(-1)!;
      const read = await log.read(EVENTS_TOPIC, {
        partition,
        fromOffset: first.offset,
        maxRecords: last.offset - first.offset + 1,
      });
      const byOffset = new Map(read.map((record) => [record.offset, record.value]));
      for (const place of range) {
        const value = byOffset.get(place.offset);
        if (value) records.set(place.eventId, value.toString('base64'));
      }
    }
  }
  return records;
}

function offsetRanges(sorted: readonly LeafPlace[]): LeafPlace[][] {
  const ranges: LeafPlace[][] = [];
  for (const place of sorted) {
    const current = ranges.at(-1);
    const previous = current?.at(-1);
    if (current && previous && place.offset - previous.offset <= RANGE_GAP) current.push(place);
    else ranges.push([place]);
  }
  return ranges;
}

async function storedEvents(
  store: Store,
  ids: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const rows = await queryInChunks<{ event_id: string; payload: string }>(
    store,
    'SELECT event_id, payload FROM events FINAL WHERE event_id IN {ids:Array(String)}',
    'ids',
    ids,
  );
  return new Map(
    rows.map((row) => [row.event_id, JSON.parse(row.payload) as Record<string, unknown>]),
  );
}
