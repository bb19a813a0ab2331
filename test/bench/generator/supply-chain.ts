/**
 * A synthetic but realistic dairy supply chain for the benchmarks, at any scale and the same for
 * the same seed. Farms milk raw-milk batches and ship them to powder plants; each plant run dries
 * five raw-milk batches with one premix lot and one whey lot into a base-powder batch (a
 * multi-input transformation); brands can each base batch into a dozen consumer lots (some blend
 * the brand's previous base batch too); lots go to distributors and on to one to three retailers.
 * Receipts, self-checks, third-party and import tests, and a few supervisory samplings (some
 * FAIL) are recorded along the way.
 *
 * Events come out of an iterator, one plant run at a time, in causal order (every batch is
 * produced before a batch made from it, every shipment before its receipt), so a million batches
 * (~5M events) stream through without being held in memory.
 */
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';

import {
  EVENTS_PER_RUN,
  generateEvents,
  LOTS_PER_RUN,
  PREMIX_RUNS,
  RAW_PER_RUN,
  WHEY_RUNS,
} from './chain-events.js';
import {
  batchNames,
  buildParties,
  mulberry32,
  shapeFor,
  type ChainParty,
  type Names,
  type Shape,
} from './chain-parties.js';

export { mulberry32, type ChainParty, type PartyTier } from './chain-parties.js';
/** The event as a client posts it (the one chain builder's). */
export { toSubmission } from '../../../tools/chain/chain-builder.js';

/** Bumped whenever the events change, so cached data built from older events is rebuilt. */
export const GENERATOR_VERSION = 3;

/** The scales, in batches. */
export const SCALE_BATCHES = { small: 10_000, large: 1_000_000 } as const;

const BATCHES_PER_RUN = 1 + RAW_PER_RUN + LOTS_PER_RUN + 1 / PREMIX_RUNS + 1 / WHEY_RUNS;

export interface SupplyChainOptions {
  /** How many batches to generate (rounded to whole plant runs, at least one). */
  readonly batches: number;
  readonly seed: number;
  /** Prefixes every batch and shipment id, so several chains can share one platform. */
  readonly tag?: string;
}

/** Batches picked for trace measurements, by where they sit in the graph. */
export interface TracePicks {
  /** Raw-milk batches: no inputs, a short chain downstream. */
  readonly source: readonly string[];
  /** Base-powder batches: inputs upstream, consumer lots downstream. */
  readonly middle: readonly string[];
  /** Consumer lots: nothing made from them. */
  readonly edge: readonly string[];
  /** Premix lots whose downstream trace lists about 1 000 batches (a full block of plant runs). */
  readonly thousandNodes: readonly string[];
}

export interface SupplyChain {
  readonly options: SupplyChainOptions;
  readonly parties: readonly ChainParty[];
  /** The regulator party (reads every trace). */
  readonly regulatorId: string;
  readonly runs: number;
  readonly batchCount: number;
  /** An estimate for progress output; the exact count is known once `events()` has run. */
  readonly estimatedEvents: number;
  /** Every event, in causal order; each call starts again and yields the same events. */
  events(): Generator<SuyuanEvent>;
  /** `perKind` batches of each kind, spread over the chain, for trace measurements. */
  picks(perKind: number): TracePicks;
}

/**
 * Builds the chain description; events are generated lazily by `events()`.
 * Throws when `batches` or `seed` is not a usable number.
 */
export function createSupplyChain(options: SupplyChainOptions): SupplyChain {
  if (!(options.batches >= 1))
    throw new Error(`batches: must be at least 1 (got ${options.batches})`);
  if (!Number.isInteger(options.seed))
    throw new Error(`seed: must be an integer (got ${options.seed})`);
  const runs = Math.max(1, Math.round(options.batches / BATCHES_PER_RUN));
  const shape = shapeFor(runs);
  const parties = buildParties(shape, mulberry32(options.seed ^ 0x5eed));
  const tag = options.tag ?? '';
  const names = batchNames(tag, shape.plants, shape.brands);
  const premixLots = countBlocks(runs, shape.plants, PREMIX_RUNS);
  const wheyLots = countBlocks(runs, shape.plants, WHEY_RUNS);
  const estimatedEvents = runs * EVENTS_PER_RUN;
  return {
    options,
    parties: parties.parties,
    regulatorId: parties.regulator,
    runs,
    batchCount: runs * (1 + RAW_PER_RUN + LOTS_PER_RUN) + premixLots + wheyLots,
    estimatedEvents,
    events: () =>
      generateEvents({ runs, seed: options.seed, tag, parties, names, estimatedEvents }),
    picks: (perKind) => pickBatches(runs, shape, names, perKind),
  };
}

/** Blocks of `size` runs per plant, counting a started block. */
function countBlocks(runs: number, plants: number, size: number): number {
  let blocks = 0;
  for (let plant = 0; plant < plants; plant += 1) {
    const plantRuns = Math.floor((runs - plant - 1) / plants) + 1;
    if (plantRuns > 0) blocks += Math.ceil(plantRuns / size);
  }
  return blocks;
}

function pickBatches(runs: number, shape: Shape, names: Names, perKind: number): TracePicks {
  // Runs spread over the middle of the chain, where every batch has its full neighbourhood.
  const spread = (count: number) =>
    Array.from({ length: count }, (_, i) =>
      Math.min(runs - 1, Math.floor(((i + 1) * runs) / (count + 1))),
    );
  const chosen = spread(perKind);
  // Premix blocks that are complete: the plant ran all PREMIX_RUNS runs of the block.
  const full: string[] = [];
  for (let plant = 0; plant < shape.plants; plant += 1) {
    const plantRuns = Math.floor((runs - plant - 1) / shape.plants) + 1;
    const complete = Math.floor(plantRuns / PREMIX_RUNS);
    for (let block = 0; block < complete; block += 1) full.push(names.premix(plant, block));
  }
  const count = Math.min(perKind, full.length);
  const thousand =
    count > 0
      ? Array.from(
          { length: count },
          (_, i) => full[Math.floor(((i + 1) * full.length) / (count + 1))] ?? '',
        )
      : [names.premix(0, 0)];
  return {
    source: chosen.map((run) => names.raw(run, 0)),
    middle: chosen.map((run) => names.base(run)),
    edge: chosen.map((run) => names.lot(run, 3)),
    thousandNodes: [...new Set(thousand)],
  };
}
