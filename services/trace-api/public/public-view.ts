/**
 * The public view of a batch: what the public trace-code check shows to anyone, read through the
 * trace read model (the serving index in embedded mode: no store statement per check). Only what
 * each party opted in to appears (common/access/public-profiles.ts); an open recall always does.
 * A batch of which nothing is public gives undefined, exactly as an unknown code does, after the
 * same reads, so that neither answer nor timing tells the two apart.
 */
import type { PartyDirectory } from '../../common/access/party-directory.js';
import type { PublicProfile, PublicProfiles } from '../../common/access/public-profiles.js';
import type { PublicCheck, PublicLanguage, PublicParty } from '../../common/api/public-check.js';
import {
  derivationEdges,
  readsForOneWalk,
  type BatchRecallRow,
  type BatchRow,
  type TraceReads,
} from '../../common/trace/trace-reads.js';
import { walkGraph } from '../../common/trace/walk.js';

export interface PublicViewDeps {
  readonly reads: TraceReads;
  readonly parties: Pick<PartyDirectory, 'find'>;
  readonly profiles: Pick<PublicProfiles, 'find'>;
  /** How far upstream the origin is looked for (TRACE_MAX_DEPTH). */
  readonly maxDepth: number;
  /** Details of public batches checked lately; none: read every time. */
  readonly details?: DetailsCache;
}

/** The most batches the origin walk visits: a package's origin is a handful of farms, not a graph. */
export const ORIGIN_MAX_NODES = 200;

export type PublicView = Omit<PublicCheck, 'code' | 'checks' | 'lang'>;

/** What a holder of a recalled product should do, whatever the level. */
export const WHAT_TO_DO: Readonly<Record<PublicLanguage, string>> = {
  'zh-CN': '请立即停止食用或使用本产品，并联系购买处退货或按召回公告处理。',
  en: 'Stop eating or using this product at once; return it to where you bought it, or follow the recall notice.',
};

/** The most serious open recall: the lowest level, then the earliest. */
export function mostSeriousOpenRecall(rows: readonly BatchRecallRow[]): BatchRecallRow | undefined {
  const open = rows.filter((row) => row.closedAt === null);
  return open.sort((a, b) => a.level - b.level || a.startedAt.localeCompare(b.startedAt))[0];
}

/** The batch as the public sees it, or undefined when nothing of it is public. */
export async function publicView(
  deps: PublicViewDeps,
  batchId: string,
  production: BatchRow | undefined,
  lang: PublicLanguage,
): Promise<PublicView | undefined> {
  const [recalls, producerProfiles] = await Promise.all([
    deps.reads.recalls([batchId]),
    deps.profiles.find(production ? [production.producer] : []),
  ]);
  const recall = mostSeriousOpenRecall(recalls);
  const profile = production && producerProfiles.get(production.producer);
  if (!recall && !profile) return undefined;
  const publicRecall = recall
    ? {
        level: recall.level,
        reason: recall.reason,
        whatToDo: WHAT_TO_DO[lang],
        since: recall.startedAt,
      }
    : null;
  if (!production || !profile) {
    return {
      recall: publicRecall,
      product: null,
      producer: null,
      producedAt: null,
      origin: [],
      inspections: [],
    };
  }
  const details = deps.details?.get(batchId) ?? (await publicDetails(deps, production));
  deps.details?.set(batchId, details);
  return { recall: publicRecall, ...details };
}

/** What a public batch shows besides its recall: it changes rarely, and may be cached briefly. */
export type PublicDetails = Omit<PublicView, 'recall'>;

async function publicDetails(deps: PublicViewDeps, production: BatchRow): Promise<PublicDetails> {
  const [origins, inspections] = await Promise.all([
    originBatches(deps, production),
    deps.reads.inspections([production.batchId]),
  ]);
  const shown = await publicParties(deps, [
    production.producer,
    ...origins.map((origin) => origin.producer),
    ...inspections.map((inspection) => inspection.inspector),
  ]);
  return {
    product: { id: production.productId, name: production.productName },
    producer: shown.get(production.producer) ?? null,
    producedAt: production.producedAt,
    origin: origins.flatMap((origin) => {
      const producer = shown.get(origin.producer);
      return producer
        ? [
            {
              product: { id: origin.productId, name: origin.productName },
              producer,
              producedAt: origin.producedAt,
            },
          ]
        : [];
    }),
    inspections: inspections.map((inspection) => ({
      kind: inspection.kind as PublicView['inspections'][number]['kind'],
      passed: inspection.result === 'PASS',
      at: inspection.at,
      inspector: shown.get(inspection.inspector) ?? null,
    })),
  };
}

/**
 * The details of the batches checked lately, each kept `ttlMs`: a code on sale is checked again
 * and again, and its origin walk is most of a check's cost. A recall, the producer's profile and
 * the counts are read on every check; an inspection or another party's profile changed meanwhile
 * shows within `ttlMs`.
 */
export function createDetailsCache(options: {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { details: PublicDetails; until: number }>();
  return {
    get(batchId: string): PublicDetails | undefined {
      const entry = entries.get(batchId);
      if (entry && entry.until > now()) return entry.details;
      if (entry) entries.delete(batchId);
      return undefined;
    },
    set(batchId: string, details: PublicDetails): void {
      if (entries.has(batchId)) return;
      entries.set(batchId, { details, until: now() + options.ttlMs });
      // Oldest first: Map keeps insertion order.
      if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}

export type DetailsCache = ReturnType<typeof createDetailsCache>;

/** The batches upstream of a transformation that were made from nothing: the farms, the mines. */
async function originBatches(deps: PublicViewDeps, production: BatchRow): Promise<BatchRow[]> {
  if (!production.hasInputs) return [];
  const reads = readsForOneWalk(deps.reads);
  const walk = await walkGraph({
    roots: [production.batchId],
    direction: 'upstream',
    maxDepth: deps.maxDepth,
    maxNodes: ORIGIN_MAX_NODES,
    neighbours: (frontier) => derivationEdges(reads, 'upstream', frontier),
  });
  const upstream = [...walk.depthOf.keys()].filter((id) => id !== production.batchId);
  const batches = await reads.batches(upstream);
  return batches.filter((batch) => !batch.hasInputs);
}

/** Each party among `partyIds` that opted in, as the public sees it. */
async function publicParties(
  deps: PublicViewDeps,
  partyIds: readonly string[],
): Promise<Map<string, PublicParty>> {
  const ids = [...new Set(partyIds)];
  const [profiles, parties] = await Promise.all([deps.profiles.find(ids), deps.parties.find(ids)]);
  const shown = new Map<string, PublicParty>();
  for (const [partyId, profile] of profiles) {
    shown.set(partyId, publicParty(profile, parties.get(partyId)?.name ?? null));
  }
  return shown;
}

const publicParty = (profile: PublicProfile, name: string | null): PublicParty => ({
  name: profile.showName ? name : null,
  region: profile.region,
});
