/**
 * The Merkle trees' stored hashes (infra/clickhouse/0009_proofs.sql): what the proof keeper
 * writes and what proofs read. Every read of nodes is one statement, whatever the proof's length,
 * up to ID_CHUNK nodes (a recall's evidence reads more, in parts: store/query-in-chunks.ts).
 */
import { queryInChunks } from '../store/query-in-chunks.js';
import type { Store } from '../store/store.js';
import { nodeKey, type Hash, type NodeId } from './merkle.js';

/** A partition's tree as far as it is kept. */
export interface TreeHead {
  readonly partition: number;
  readonly size: number;
  /** The next log offset the tree takes. */
  readonly nextOffset: number;
  readonly root: Hash;
}

/** Where an event's record sits in its partition's tree. */
export interface LeafPlace {
  readonly eventId: string;
  readonly partition: number;
  readonly leafIndex: number;
  readonly offset: number;
}

interface HeadRow {
  partition: number;
  size: string | number;
  next_offset: string | number;
  root: string;
}

const headOf = (row: HeadRow): TreeHead => ({
  partition: Number(row.partition),
  size: Number(row.size),
  nextOffset: Number(row.next_offset),
  root: row.root,
});

export async function readHeads(store: Store): Promise<TreeHead[]> {
  const rows = await store.query<HeadRow>(
    'SELECT partition, size, next_offset, root FROM proof_heads FINAL ORDER BY partition',
  );
  return rows.map(headOf);
}

export async function readHead(store: Store, partition: number): Promise<TreeHead | undefined> {
  const [row] = await store.query<HeadRow>(
    `SELECT partition, size, next_offset, root FROM proof_heads FINAL
     WHERE partition = {partition:UInt32}`,
    { partition },
  );
  return row ? headOf(row) : undefined;
}

/** The stored hashes of `nodes` in one partition's tree, by `nodeKey`. */
export async function readNodes(
  store: Store,
  partition: number,
  nodes: readonly NodeId[],
): Promise<Map<string, Hash>> {
  if (nodes.length === 0) return new Map();
  // A superset by level and index (each an index lookup), narrowed to the pairs asked for here.
  // Parts by index: a tree of at most 1e15 leaves has at most 51 levels.
  const rows = await queryInChunks<{ level: number; node_index: string | number; hash: string }>(
    store,
    `SELECT level, node_index, any(hash) AS hash FROM proof_nodes
     WHERE partition = {partition:UInt32}
       AND level IN {levels:Array(UInt8)} AND node_index IN {indexes:Array(UInt64)}
     GROUP BY level, node_index`,
    'indexes',
    nodes.map((node) => node.index),
    { params: { partition, levels: [...new Set(nodes.map((node) => node.level))] } },
  );
  const wanted = new Set(nodes.map(nodeKey));
  const found = new Map<string, Hash>();
  for (const row of rows) {
    const key = nodeKey({ level: row.level, index: Number(row.node_index) });
    if (wanted.has(key)) found.set(key, row.hash);
  }
  return found;
}

/**
 * Stores what an append made: the nodes and leaf places first, the head last, so a head never
 * names a tree whose nodes are not stored (a crash in between is redone the same way).
 */
export async function writeAppend(
  store: Store,
  head: TreeHead,
  nodes: ReadonlyArray<NodeId & { readonly hash: Hash }>,
  leaves: readonly LeafPlace[],
): Promise<void> {
  await store.insert(
    'proof_nodes',
    nodes.map((node) => ({
      partition: head.partition,
      level: node.level,
      node_index: node.index,
      hash: node.hash,
    })),
  );
  await store.insert(
    'proof_leaves',
    leaves.map((leaf) => ({
      event_id: leaf.eventId,
      partition: leaf.partition,
      leaf_index: leaf.leafIndex,
      log_offset: leaf.offset,
    })),
  );
  await store.insert('proof_heads', [
    {
      partition: head.partition,
      size: head.size,
      next_offset: head.nextOffset,
      root: head.root,
      at: new Date().toISOString(),
    },
  ]);
}

/** Each event's first place in the trees (a record written twice has the earlier one). */
export async function findLeaves(
  store: Store,
  eventIds: readonly string[],
): Promise<Map<string, LeafPlace>> {
  if (eventIds.length === 0) return new Map();
  const rows = await queryInChunks<{
    event_id: string;
    partition: number;
    leaf_index: string | number;
    log_offset: string | number;
  }>(
    store,
    `SELECT event_id, partition, leaf_index, log_offset FROM proof_leaves
     WHERE event_id IN {ids:Array(String)}
     ORDER BY event_id, leaf_index, partition LIMIT 1 BY event_id`,
    'ids',
    eventIds,
  );
  return new Map(
    rows.map((row) => [
      row.event_id,
      {
        eventId: row.event_id,
        partition: Number(row.partition),
        leafIndex: Number(row.leaf_index),
        offset: Number(row.log_offset),
      },
    ]),
  );
}
