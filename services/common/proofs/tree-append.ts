/**
 * Appends a partition's records to its Merkle tree in the store: the one step the proof keeper
 * runs per batch, and the one a rebuild from the log runs over the whole partition. Leaf i is
 * the i-th record of the partition in offset order, hashed from the record's bytes as the log
 * holds them (Confluent wire format: magic byte, schema id, Avro body) — bytes that never change
 * with the reader's schema, so the tree rebuilt from the log years later is the same tree.
 */
import type { EventCodec } from '../events/codec.js';
import type { StoredRecord } from '../log/event-log.js';
import type { Store } from '../store/store.js';
import {
  appendLeaves,
  frontierOf,
  leafHash,
  rootHash,
  nodeKey,
  type Hash,
  type NodeSource,
} from './merkle.js';
import { readHead, readNodes, writeAppend, type LeafPlace, type TreeHead } from './proof-store.js';

/** The leaf hash of a log record: what the verifier recomputes from an export's record bytes. */
export const recordLeafHash = (value: Uint8Array): Hash => leafHash(value);

/**
 * What the one writer of the trees knows of a partition's tree after its last append: the head,
 * and the frontier nodes the next append builds on. A proof keeper whose store no other process
 * writes (chDB: one process holds its data) keeps it, so that a batch is appended without reading
 * them back: two statements of the seven a batch cost, a share of the one store every consumer
 * waits on.
 */
export type TreeMemory = Map<number, { readonly head: TreeHead; readonly frontier: Frontier }>;

type Frontier = ReadonlyMap<string, Hash>;

const emptyHead = (partition: number): TreeHead => ({
  partition,
  size: 0,
  nextOffset: 0,
  root: '',
});

/**
 * Appends the records of one partition (in offset order) that the tree does not hold yet, and
 * returns the new head. Records at offsets it already holds are skipped, so a batch delivered
 * again changes nothing. With `memory`, the head and frontier come from it when it has them, and
 * it has them again once the append is written: an append that fails leaves it without them, and
 * the next reads what the store holds.
 */
export async function appendToTree(
  deps: { readonly store: Store; readonly codec: EventCodec; readonly memory?: TreeMemory },
  partition: number,
  records: readonly StoredRecord[],
): Promise<TreeHead | undefined> {
  const known = deps.memory?.get(partition);
  const head = known?.head ?? (await readHead(deps.store, partition)) ?? emptyHead(partition);
  const fresh = records.filter((record) => record.offset >= head.nextOffset);
  const last = fresh.at(-1);
  if (!last) return head.size > 0 ? head : undefined;
  const frontier =
    known?.frontier ?? (await readNodes(deps.store, partition, frontierOf(head.size)));
  const { nodes, size } = appendLeaves(
    head.size,
    frontier,
    fresh.map((record) => recordLeafHash(record.value)),
  );
  const made = new Map(frontier);
  for (const node of nodes) made.set(nodeKey(node), node.hash);
  const source: NodeSource = (node) => {
    const hash = made.get(nodeKey(node));
    if (hash === undefined) throw new Error(`tree node ${nodeKey(node)} is not stored`);
    return hash;
  };
  const leaves: LeafPlace[] = fresh.map((record, i) => ({
    eventId: eventIdOf(deps.codec, record),
    partition,
    leafIndex: head.size + i,
    offset: record.offset,
  }));
  const next: TreeHead = {
    partition,
    size,
    nextOffset: last.offset + 1,
    root: rootHash(size, source),
  };
  deps.memory?.delete(partition);
  await writeAppend(deps.store, next, nodes, leaves);
  deps.memory?.set(partition, {
    head: next,
    frontier: new Map(frontierOf(size).map((node) => [nodeKey(node), source(node)])),
  });
  return next;
}

/** An undecodable record still takes its leaf (the log holds it); it names no event. */
function eventIdOf(codec: EventCodec, record: StoredRecord): string {
  try {
    return codec.decode(record.value).eventId;
  } catch {
    return '';
  }
}
