import { describe, expect, it } from 'vitest';
import {
  walkGraph,
  walkTrace,
  type WalkDirection,
  type WalkEdge,
} from '../../../../services/common/trace/walk.js';

/** A derivation graph as `input -> output` pairs, with a lookup that records every call. */
function givenGraph(pairs: ReadonlyArray<readonly [string, string]>) {
  const calls: string[][] = [];
  const neighbours = (direction: WalkDirection) => (frontier: string[]) => {
    calls.push([...frontier]);
    const edges: WalkEdge[] = pairs
      .filter(([input, output]) => frontier.includes(direction === 'downstream' ? input : output))
      .map(([input, output]) =>
        direction === 'downstream' ? { from: input, to: output } : { from: output, to: input },
      );
    return Promise.resolve(edges);
  };
  return { calls, neighbours };
}

const depths = (depthOf: Map<string, number>) => Object.fromEntries(depthOf);

describe('walkGraph', () => {
  it('follows a chain downstream, one lookup per level with the whole frontier', async () => {
    const graph = givenGraph([
      ['A', 'B'],
      ['B', 'C'],
    ]);

    const result = await walkGraph({
      roots: ['A'],
      direction: 'downstream',
      maxDepth: 10,
      maxNodes: 100,
      neighbours: graph.neighbours('downstream'),
    });

    expect(depths(result.depthOf)).toEqual({ A: 0, B: 1, C: 2 });
    expect(result.edges).toEqual([
      { from: 'A', to: 'B' },
      { from: 'B', to: 'C' },
    ]);
    expect(result.truncated).toBe(false);
    expect(graph.calls).toEqual([['A'], ['B'], ['C']]);
  });

  it('starts from several roots at once (a recall) and follows any depth when unbounded', async () => {
    const graph = givenGraph([
      ['R1', 'X'],
      ['R2', 'X'],
      ['R2', 'R1'],
      ...Array.from({ length: 100 }, (_, i) => [`L${i}`, `L${i + 1}`] as const),
      ['X', 'L0'],
    ]);

    const result = await walkGraph({
      roots: ['R1', 'R2', 'R1'],
      direction: 'downstream',
      maxDepth: Infinity,
      maxNodes: 1000,
      neighbours: graph.neighbours('downstream'),
    });

    expect(result.depthOf.get('R1')).toBe(0);
    expect(result.depthOf.get('R2')).toBe(0);
    expect(result.depthOf.get('X')).toBe(1);
    expect(result.depthOf.get('L100')).toBe(102);
    expect(result.depthOf.size).toBe(2 + 1 + 101);
    expect(result.truncated).toBe(false);
    expect(graph.calls[0]).toEqual(['R1', 'R2']);
  });

  it('lists a batch reached by two paths once, at its shortest depth', async () => {
    const graph = givenGraph([
      ['A', 'B'],
      ['A', 'C'],
      ['B', 'D'],
      ['C', 'D'],
      ['A', 'D'],
    ]);

    const result = await walkGraph({
      roots: ['A'],
      direction: 'downstream',
      maxDepth: 10,
      maxNodes: 100,
      neighbours: graph.neighbours('downstream'),
    });

    expect(depths(result.depthOf)).toEqual({ A: 0, B: 1, C: 1, D: 1 });
    expect(result.edges).toHaveLength(5);
    expect(graph.calls).toEqual([['A'], ['B', 'C', 'D']]);
  });

  it('terminates on a cycle and lists each batch once', async () => {
    const graph = givenGraph([
      ['A', 'B'],
      ['B', 'C'],
      ['C', 'A'],
    ]);

    const result = await walkGraph({
      roots: ['A'],
      direction: 'downstream',
      maxDepth: 64,
      maxNodes: 100,
      neighbours: graph.neighbours('downstream'),
    });

    expect(depths(result.depthOf)).toEqual({ A: 0, B: 1, C: 2 });
    expect(result.edges).toContainEqual({ from: 'C', to: 'A' });
    expect(result.truncated).toBe(false);
    expect(graph.calls).toHaveLength(3);
  });

  it('cuts a fan-out at maxNodes, keeping the first ids in sorted order', async () => {
    const graph = givenGraph([
      ['A', 'D'],
      ['A', 'C'],
      ['A', 'B'],
      ['A', 'E'],
      ['B', 'C'],
    ]);

    const result = await walkGraph({
      roots: ['A'],
      direction: 'downstream',
      maxDepth: 10,
      maxNodes: 3,
      neighbours: graph.neighbours('downstream'),
    });

    expect(depths(result.depthOf)).toEqual({ A: 0, B: 1, C: 1 });
    expect(result.truncated).toBe(true);
    expect(result.truncatedReason).toBe('maxNodes');
    // Only edges between listed batches, including the one found by expanding the cut level.
    expect(result.edges).toEqual([
      { from: 'A', to: 'C' },
      { from: 'A', to: 'B' },
      { from: 'B', to: 'C' },
    ]);
  });

  it('is not truncated when the last level exactly fills maxNodes and nothing lies beyond', async () => {
    const graph = givenGraph([
      ['A', 'B'],
      ['A', 'C'],
    ]);

    const result = await walkGraph({
      roots: ['A'],
      direction: 'downstream',
      maxDepth: 10,
      maxNodes: 3,
      neighbours: graph.neighbours('downstream'),
    });

    expect(result.depthOf.size).toBe(3);
    expect(result.truncated).toBe(false);
  });

  it('cuts at maxDepth and says so when batches lie beyond', async () => {
    const graph = givenGraph([
      ['A', 'B'],
      ['B', 'C'],
      ['C', 'D'],
    ]);

    const result = await walkGraph({
      roots: ['A'],
      direction: 'downstream',
      maxDepth: 2,
      maxNodes: 100,
      neighbours: graph.neighbours('downstream'),
    });

    expect(depths(result.depthOf)).toEqual({ A: 0, B: 1, C: 2 });
    expect(result.truncated).toBe(true);
    expect(result.truncatedReason).toBe('maxDepth');
    expect(result.edges).not.toContainEqual({ from: 'C', to: 'D' });
    expect(graph.calls).toEqual([['A'], ['B'], ['C']]);
  });

  it('is not truncated when maxDepth exactly reaches the end of the chain', async () => {
    const graph = givenGraph([
      ['A', 'B'],
      ['B', 'C'],
    ]);

    const result = await walkGraph({
      roots: ['A'],
      direction: 'downstream',
      maxDepth: 2,
      maxNodes: 100,
      neighbours: graph.neighbours('downstream'),
    });

    expect(depths(result.depthOf)).toEqual({ A: 0, B: 1, C: 2 });
    expect(result.truncated).toBe(false);
    // The one extra lookup for the last level is what proves nothing was cut.
    expect(graph.calls).toEqual([['A'], ['B'], ['C']]);
  });

  it('gives upstream batches negative depths', async () => {
    const graph = givenGraph([
      ['milk', 'cheese'],
      ['salt', 'cheese'],
      ['cow', 'milk'],
    ]);

    const result = await walkGraph({
      roots: ['cheese'],
      direction: 'upstream',
      maxDepth: 10,
      maxNodes: 100,
      neighbours: graph.neighbours('upstream'),
    });

    expect(depths(result.depthOf)).toEqual({ cheese: 0, milk: -1, salt: -1, cow: -2 });
    expect(result.truncated).toBe(false);
  });

  it('lists only the root when maxNodes is 1, truncated if anything follows', async () => {
    const graph = givenGraph([['A', 'B']]);

    const result = await walkGraph({
      roots: ['A'],
      direction: 'downstream',
      maxDepth: 10,
      maxNodes: 1,
      neighbours: graph.neighbours('downstream'),
    });

    expect(depths(result.depthOf)).toEqual({ A: 0 });
    expect(result.edges).toEqual([]);
    expect(result.truncated).toBe(true);
  });
});

describe('walkTrace', () => {
  const lookup =
    (graph: ReturnType<typeof givenGraph>) => (direction: WalkDirection, frontier: string[]) =>
      graph.neighbours(direction)(frontier);

  it('walks both ways from the root, depth 0 for the root', async () => {
    const graph = givenGraph([
      ['farm', 'milk'],
      ['milk', 'cheese'],
      ['cheese', 'pizza'],
    ]);

    const result = await walkTrace({
      root: 'milk',
      direction: 'both',
      maxDepth: 10,
      maxNodes: 100,
      neighbours: lookup(graph),
    });

    expect(depths(result.depthOf)).toEqual({ farm: -1, milk: 0, cheese: 1, pizza: 2 });
    expect(result.truncated).toBe(false);
  });

  it('never lists more than maxNodes batches in total for both directions', async () => {
    const graph = givenGraph([
      ['u1', 'R'],
      ['R', 'd1'],
      ['R', 'd2'],
      ['R', 'd3'],
    ]);

    const result = await walkTrace({
      root: 'R',
      direction: 'both',
      maxDepth: 10,
      maxNodes: 3,
      neighbours: lookup(graph),
    });

    expect(depths(result.depthOf)).toEqual({ u1: -1, R: 0, d1: 1 });
    expect(result.truncated).toBe(true);
  });

  it('keeps the shallower depth for a batch reached both ways through a cycle', async () => {
    const graph = givenGraph([
      ['R', 'X'],
      ['X', 'Y'],
      ['Y', 'R'],
    ]);

    const result = await walkTrace({
      root: 'R',
      direction: 'both',
      maxDepth: 10,
      maxNodes: 100,
      neighbours: lookup(graph),
    });

    expect(depths(result.depthOf)).toEqual({ R: 0, X: 1, Y: -1 });
  });
});
