import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendLeaves,
  consistencyProof,
  frontierOf,
  inclusionProof,
  leafHash,
  nodeHash,
  nodeKey,
  nodesRead,
  rootHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NodeSource,
} from '../../../../services/common/proofs/merkle.js';

/** MTH of RFC 9162 §2.1.1, written straight from its definition. */
function referenceRoot(leaves: readonly Hash[]): Hash {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** The stored nodes a keeper would hold after appending `leaves` in chunks of `chunk`. */
function storedTree(leaves: readonly Hash[], chunk: number): NodeSource {
  const stored = new Map<string, Hash>();
  for (let start = 0; start < leaves.length; start += chunk) {
    const frontier = new Map(
      frontierOf(start).map((node) => [nodeKey(node), stored.get(nodeKey(node))!]),
    );
    const { nodes } = appendLeaves(start, frontier, leaves.slice(start, start + chunk));
    for (const node of nodes) stored.set(nodeKey(node), node.hash);
  }
  return (node) => {
    const hash = stored.get(nodeKey(node));
    if (hash === undefined) throw new Error(`node ${nodeKey(node)} was never stored`);
    return hash;
  };
}

const leavesOf = (count: number) => Array.from({ length: count }, (_, i) => leafHash(`event ${i}`));

const treeArb = fc
  .record({ size: fc.integer({ min: 1, max: 70 }), chunk: fc.integer({ min: 1, max: 9 }) })
  .map(({ size, chunk }) => ({ leaves: leavesOf(size), chunk }));

describe('the Merkle tree of RFC 9162', () => {
  it('hashes leaves and nodes with their domain prefixes (the RFC 6962 test vector of the empty leaf)', () => {
    expect(leafHash('')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(nodeHash(leafHash('a'), leafHash('b'))).not.toBe(nodeHash(leafHash('b'), leafHash('a')));
  });

  it('keeps, appended in any chunks, the nodes whose roots equal the definition at every size', () => {
    fc.assert(
      fc.property(treeArb, ({ leaves, chunk }) => {
        const source = storedTree(leaves, chunk);
        for (let size = 1; size <= leaves.length; size++) {
          expect(rootHash(size, source)).toBe(referenceRoot(leaves.slice(0, size)));
        }
      }),
    );
  });

  it('proves every leaf included at every size, and no other leaf at its place', () => {
    fc.assert(
      fc.property(treeArb, ({ leaves, chunk }) => {
        const source = storedTree(leaves, chunk);
        for (let size = 1; size <= leaves.length; size++) {
          const root = rootHash(size, source);
          for (let m = 0; m < size; m++) {
            const path = inclusionProof(m, size, source);
            expect(path.length).toBeLessThanOrEqual(Math.ceil(Math.log2(size)));
            expect(verifyInclusion(leaves[m]!, m, size, path, root)).toBe(true);
            expect(verifyInclusion(leafHash('forged'), m, size, path, root)).toBe(false);
            if (size > 1)
              expect(verifyInclusion(leaves[m]!, (m + 1) % size, size, path, root)).toBe(false);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('proves every smaller tree a prefix of every larger one, and refuses a rewritten prefix', () => {
    fc.assert(
      fc.property(treeArb, ({ leaves, chunk }) => {
        const source = storedTree(leaves, chunk);
        const rewritten = storedTree([leafHash('rewritten'), ...leaves.slice(1)], chunk);
        for (let n = 1; n <= leaves.length; n++) {
          for (let m = 1; m <= n; m++) {
            const proof = consistencyProof(m, n, source);
            const oldRoot = rootHash(m, source);
            const newRoot = rootHash(n, source);
            expect(verifyConsistency(m, n, proof, oldRoot, newRoot)).toBe(true);
            expect(verifyConsistency(m, n, proof, rootHash(m, rewritten), newRoot)).toBe(false);
          }
        }
      }),
      { numRuns: 20 },
    );
  });

  it('reads O(log n) stored nodes for a proof, and names them before it reads them', () => {
    const size = 1000;
    const needed = nodesRead((source) => inclusionProof(617, size, source));
    expect(needed.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size)));
    const source = storedTree(leavesOf(size), 64);
    const fetched = new Map(needed.map((node) => [nodeKey(node), source(node)]));
    const only: NodeSource = (node) => fetched.get(nodeKey(node))!;
    expect(inclusionProof(617, size, only)).toEqual(inclusionProof(617, size, source));
  });
});
