/**
 * Pure: the Merkle tree hashing of RFC 9162 (Certificate Transparency 2.0, §2.1), as in Trillian
 * and Go's sumdb "tlog". A leaf is SHA-256(0x00 ‖ bytes), an interior node SHA-256(0x01 ‖ left ‖
 * right), and a tree of n leaves splits at the largest power of two below n. Every hash the
 * proofs need is the hash of a complete, aligned subtree — (level, index) covers the leaves
 * [index·2^level, (index+1)·2^level) — which is what the tree's keeper stores, so a proof costs
 * O(log n) stored hashes. Hashes travel as lowercase hex.
 */
import { createHash } from 'node:crypto';

export type Hash = string;

/** A complete aligned subtree: `2^level` leaves from `index · 2^level`. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Where the hash of a complete aligned subtree is found. */
export type NodeSource = (node: NodeId) => Hash;

export const nodeKey = ({ level, index }: NodeId): string => `${level}/${index}`;

export function leafHash(bytes: Uint8Array | string): Hash {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(bytes)
    .digest('hex');
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(Buffer.from(left, 'hex'))
    .update(Buffer.from(right, 'hex'))
    .digest('hex');
}

/** The largest power of two strictly below n (n ≥ 2). */
function splitOf(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/**
 * MTH(D[start:end]): the hash of the leaves in the range. The ranges the proofs ask for always
 * start at a multiple of their largest complete part, so each complete part is a stored node.
 */
export function rangeHash(start: number, end: number, source: NodeSource): Hash {
  const n = end - start;
  if (n <= 0) throw new RangeError(`empty range [${start}, ${end})`);
  if (isPowerOfTwo(n) && start % n === 0) {
    return source({ level: Math.log2(n), index: start / n });
  }
  const k = splitOf(n);
  return nodeHash(rangeHash(start, start + k, source), rangeHash(start + k, end, source));
}

/** The root of a tree of `size` leaves. */
export const rootHash = (size: number, source: NodeSource): Hash => rangeHash(0, size, source);

/** PATH(m, D[0:n]) of RFC 9162 §2.1.3.1: the audit path of leaf `leafIndex` in a tree of `size`. */
export function inclusionProof(leafIndex: number, size: number, source: NodeSource): Hash[] {
  if (leafIndex < 0 || leafIndex >= size) {
    throw new RangeError(`leaf ${leafIndex} is not in a tree of ${size}`);
  }
  const path = (m: number, start: number, end: number): Hash[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitOf(n);
    return m < k
      ? [...path(m, start, start + k), rangeHash(start + k, end, source)]
      : [...path(m - k, start + k, end), rangeHash(start, start + k, source)];
  };
  return path(leafIndex, 0, size);
}

/** PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1: proves the tree of `oldSize` is a prefix of `newSize`. */
export function consistencyProof(oldSize: number, newSize: number, source: NodeSource): Hash[] {
  if (oldSize <= 0 || oldSize > newSize) {
    throw new RangeError(`no consistency proof from ${oldSize} to ${newSize}`);
  }
  const subproof = (m: number, start: number, end: number, whole: boolean): Hash[] => {
    const n = end - start;
    if (m === n) return whole ? [] : [rangeHash(start, end, source)];
    const k = splitOf(n);
    return m <= k
      ? [...subproof(m, start, start + k, whole), rangeHash(start + k, end, source)]
      : [...subproof(m - k, start + k, end, false), rangeHash(start, start + k, source)];
  };
  return subproof(oldSize, 0, newSize, true);
}

/**
 * The stored nodes a computation reads: it is run once against a source that only notes what
 * is asked, so the keeper can fetch them all in one read.
 */
export function nodesRead(compute: (source: NodeSource) => unknown): NodeId[] {
  const wanted = new Map<string, NodeId>();
  compute((node) => {
    wanted.set(nodeKey(node), node);
    return '00'.repeat(32);
  });
  return [...wanted.values()];
}

/** RFC 9162 §2.1.3.2: whether `path` proves leaf `leafIndex` with hash `leaf` under `root`. */
export function verifyInclusion(
  leaf: Hash,
  leafIndex: number,
  size: number,
  path: readonly Hash[],
  root: Hash,
): boolean {
  if (leafIndex < 0 || leafIndex >= size) return false;
  let fn = leafIndex;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r === root;
}

/** RFC 9162 §2.1.4.2: whether `path` proves the tree `oldRoot` of `oldSize` a prefix of `newRoot`. */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  path: readonly Hash[],
  oldRoot: Hash,
  newRoot: Hash,
): boolean {
  if (oldSize <= 0 || oldSize > newSize) return false;
  if (oldSize === newSize) return path.length === 0 && oldRoot === newRoot;
  const proof = isPowerOfTwo(oldSize) ? [oldRoot, ...path] : [...path];
  const [first, ...rest] = proof;
  if (first === undefined) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr === oldRoot && sr === newRoot && sn === 0;
}

/**
 * Appends leaves to a tree whose right edge is known (the complete subtrees of its size's binary
 * decomposition, `frontierOf`), and returns every complete node the appends make: the leaves
 * themselves and each parent completed. This is what the keeper stores.
 */
export function appendLeaves(
  size: number,
  frontier: ReadonlyMap<string, Hash>,
  leaves: readonly Hash[],
): { readonly nodes: Array<NodeId & { readonly hash: Hash }>; readonly size: number } {
  const known = new Map(frontier);
  const nodes: Array<NodeId & { hash: Hash }> = [];
  let next = size;
  for (const leaf of leaves) {
    let node = { level: 0, index: next, hash: leaf };
    for (;;) {
      known.set(nodeKey(node), node.hash);
      nodes.push(node);
      if (node.index % 2 === 0) break;
      const left = known.get(nodeKey({ level: node.level, index: node.index - 1 }));
      if (left === undefined) throw new Error(`missing node ${node.level}/${node.index - 1}`);
      node = {
        level: node.level + 1,
        index: (node.index - 1) / 2,
        hash: nodeHash(left, node.hash),
      };
    }
    next += 1;
  }
  return { nodes, size: next };
}

/** The complete subtrees along the right edge of a tree of `size`: what an append needs. */
export function frontierOf(size: number): NodeId[] {
  const nodes: NodeId[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (size - start >= width) {
      nodes.push({ level, index: start / width });
      start += width;
    }
  }
  return nodes;
}
