/**
 * The walk over derivation edges, for traces and for the scope of a recall: breadth-first, one
 * lookup per level, so a walk costs at most `maxDepth + 1` store round trips whatever its size.
 * Pure: the lookup is passed in.
 */

export type WalkDirection = 'upstream' | 'downstream';
export type TraceDirection = WalkDirection | 'both';
export type TruncatedReason = 'maxDepth' | 'maxNodes';

/** An edge found from a frontier node (`from`) to its neighbour in the walk's direction (`to`). */
export interface WalkEdge {
  readonly from: string;
  readonly to: string;
}

export interface WalkOptions<E extends WalkEdge> {
  /** Where the walk starts, at depth 0: one batch for a trace, the root batches of a recall. */
  readonly roots: readonly string[];
  readonly direction: WalkDirection;
  /** Levels to follow; `Infinity` walks until nothing new is found. */
  readonly maxDepth: number;
  /** The most batches the walk may list, the roots included. */
  readonly maxNodes: number;
  /** The edges leaving every batch of `frontier`; called once per level with the whole level. */
  readonly neighbours: (frontier: string[]) => Promise<E[]>;
}

export interface WalkResult<E extends WalkEdge> {
  /** Batch id → depth: 0 for a root, negative upstream, positive downstream. */
  readonly depthOf: Map<string, number>;
  /** The edges whose two ends were both visited. */
  readonly edges: E[];
  readonly truncated: boolean;
  readonly truncatedReason?: TruncatedReason;
}

export async function walkGraph<E extends WalkEdge>(
  options: WalkOptions<E>,
): Promise<WalkResult<E>> {
  const sign = options.direction === 'upstream' ? -1 : 1;
  const depthOf = new Map<string, number>(options.roots.map((root) => [root, 0]));
  const found: E[] = [];
  let frontier = [...depthOf.keys()];
  let level = 0;
  let reason: TruncatedReason | undefined;
  while (frontier.length > 0 && reason === undefined) {
    const edges = await options.neighbours(frontier);
    found.push(...edges);
    const fresh = unvisited(edges, depthOf);
    if (level === options.maxDepth) {
      if (fresh.length > 0) reason = 'maxDepth';
      break;
    }
    level += 1;
    const room = Math.max(0, options.maxNodes - depthOf.size);
    frontier = fresh.slice(0, room);
    if (fresh.length > room) reason = 'maxNodes';
    for (const id of frontier) depthOf.set(id, sign * level);
  }
  if (reason === 'maxNodes' && frontier.length > 0) {
    // The kept part of the cut level was never expanded: one more lookup completes the edges
    // among the batches listed (a cross edge or a loop back), so the response stays consistent.
    found.push(...(await options.neighbours(frontier)));
  }
  const edges = found.filter((edge) => depthOf.has(edge.from) && depthOf.has(edge.to));
  return reason === undefined
    ? { depthOf, edges, truncated: false }
    : { depthOf, edges, truncated: true, truncatedReason: reason };
}

/** The neighbours not yet visited, each once, sorted so that a cut keeps the same ids every time. */
function unvisited(edges: readonly WalkEdge[], visited: ReadonlyMap<string, number>): string[] {
  const fresh = new Set<string>();
  for (const edge of edges) if (!visited.has(edge.to)) fresh.add(edge.to);
  return [...fresh].sort();
}

export interface TraceWalkOptions<E extends WalkEdge> {
  readonly root: string;
  readonly direction: TraceDirection;
  readonly maxDepth: number;
  readonly maxNodes: number;
  readonly neighbours: (direction: WalkDirection, frontier: string[]) => Promise<E[]>;
}

/**
 * One or both walks from the root. For `both`, upstream runs first and downstream gets the rest
 * of the node budget, so the response never lists more than `maxNodes` batches: sources are
 * usually few, while downstream fan-out is what a limit is for. A batch reached both ways (a
 * cycle through the root) keeps its shallower depth, downstream on a tie.
 */
export async function walkTrace<E extends WalkEdge>(
  options: TraceWalkOptions<E>,
): Promise<WalkResult<E>> {
  const walk = (direction: WalkDirection, maxNodes: number) =>
    walkGraph({
      roots: [options.root],
      direction,
      maxDepth: options.maxDepth,
      maxNodes,
      neighbours: (frontier) => options.neighbours(direction, frontier),
    });
  if (options.direction !== 'both') return walk(options.direction, options.maxNodes);
  const upstream = await walk('upstream', options.maxNodes);
  // The root is in both walks, so it is counted once.
  const downstream = await walk('downstream', options.maxNodes - upstream.depthOf.size + 1);
  return mergeWalks(upstream, downstream);
}

function mergeWalks<E extends WalkEdge>(up: WalkResult<E>, down: WalkResult<E>): WalkResult<E> {
  const depthOf = new Map(up.depthOf);
  for (const [id, depth] of down.depthOf) {
    const other = depthOf.get(id);
    if (other === undefined || depth <= Math.abs(other)) depthOf.set(id, depth);
  }
  const edges = [...up.edges, ...down.edges];
  const reason = up.truncatedReason ?? down.truncatedReason;
  return reason === undefined
    ? { depthOf, edges, truncated: false }
    : { depthOf, edges, truncated: true, truncatedReason: reason };
}
