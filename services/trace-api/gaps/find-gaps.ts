/**
 * GET /v1/gaps: the broken links and unbalanced quantities a caller may see — a regulator all of
 * them, any other party those it is involved in — newest first.
 */
import { GAP_KINDS, type GapKind, type GapList, type GapView } from '../../common/api/gaps.js';
import { stableUuid } from '../../common/stable-id.js';
import type { Store } from '../../common/store/store.js';
import { gapQuery, type GapRules } from './gap-queries.js';

export type { GapRules };

export interface GapSearch {
  readonly kind?: GapKind;
  readonly limit: number;
  /** Only gaps involving this party; undefined for a regulator. */
  readonly party?: string;
  /** The time shipments are judged "never received" against. */
  readonly now: Date;
}

interface GapRow {
  readonly key: string;
  readonly at: string;
  readonly parties: string[];
  readonly batchIds: string[];
  readonly shipmentId: string | null;
  readonly transformationEventId: string | null;
  readonly eventIds: string[];
  readonly unit: string | null;
  readonly qin: number | null;
  readonly qout: number | null;
  readonly total: number | string;
}

export async function findGaps(store: Store, rules: GapRules, search: GapSearch): Promise<GapList> {
  const kinds = search.kind === undefined ? GAP_KINDS : [search.kind];
  const params = {
    cutoff: new Date(search.now.getTime() - rules.unreceivedAfterMs).toISOString(),
    maxYield: rules.maxYield,
    party: search.party ?? '',
    limit: search.limit,
  };
  const counts = Object.fromEntries(GAP_KINDS.map((kind) => [kind, 0])) as Record<GapKind, number>;
  const gaps: GapView[] = [];
  // One after another: chDB runs one statement at a time, and a server is spared the burst.
  for (const kind of kinds) {
    const rows = await store.query<GapRow>(gapQuery(kind), params);
    counts[kind] = Number(rows[0]?.total ?? 0);
    gaps.push(...rows.map((row) => gapView(kind, row)));
  }
  gaps.sort((a, b) => (a.at === b.at ? a.gapId.localeCompare(b.gapId) : a.at < b.at ? 1 : -1));
  return { gaps: gaps.slice(0, search.limit), counts };
}

function gapView(kind: GapKind, row: GapRow): GapView {
  const quantities =
    row.unit !== null && row.qin !== null && row.qout !== null
      ? { unit: row.unit, in: row.qin, out: row.qout }
      : null;
  return {
    gapId: stableUuid(`gap/${kind}/${row.key}`),
    kind,
    at: row.at,
    parties: row.parties,
    batchIds: row.batchIds,
    shipmentId: row.shipmentId,
    transformationEventId: row.transformationEventId,
    eventIds: row.eventIds,
    quantities,
  };
}
