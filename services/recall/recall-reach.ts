/**
 * Pure: a recall's reach as each party sees it.
 *
 * Tiers say how far down the chain a recall reaches without naming anyone: a party's tier is the
 * number of custody steps from where the recalled goods start — tier 0 the producers of the root
 * batches, tier 1 those they shipped to or who made something from the roots, tier 2 their
 * customers, and so on. (A party the records connect to no start counts as tier 0; a recipient
 * the records no longer place on the chain, e.g. after its shipment was retracted, has none.)
 *
 * A party that is not a regulator sees of a recall what its traces show it, by the same
 * one-up/one-down rule (common/trace/one-up-one-down.ts): itself, its suppliers and customers
 * on the recall's chain, and the batches one step around its own. Counts and progress are shown
 * to every party that may read the recall; names and batch ids only within its share.
 */
import {
  oneUpOneDown,
  type ChainFacts,
  type DerivationFact,
  type InspectionFact,
  type ShipmentFact,
} from '../common/trace/one-up-one-down.js';
import type { BatchRow } from '../common/trace/trace-reads.js';
import type { NoticeLine } from './plan-notices.js';
import type { ScopeFacts } from './recall-scope.js';
import type { NoticeView, RecallView } from './recall-views.js';

type CustodyFacts = ChainFacts<BatchRow, DerivationFact, ShipmentFact, InspectionFact>;

/** The recall's chain as facts for the one-up/one-down rule: custody only, no inspections. */
function custodyFacts(facts: ScopeFacts): CustodyFacts {
  const { affected } = facts;
  const line = (batchId: string, from: string, to: string) => ({ batchId, from, to });
  return {
    batches: facts.batches.filter((b) => affected.has(b.batchId)),
    derivations: facts.derivations.filter((d) => affected.has(d.input) && affected.has(d.output)),
    shipments: [
      ...facts.shipments
        .filter((s) => affected.has(s.batchId))
        .map((s) => line(s.batchId, s.from, s.to)),
      ...facts.receipts
        .filter((r) => affected.has(r.batchId))
        .map((r) => line(r.batchId, r.from, r.receiver)),
    ],
    inspections: [],
  };
}

/** Each party's tier on the recall's chain (see above). */
export function custodyTiers(
  facts: ScopeFacts,
  rootBatchIds: readonly string[],
): Map<string, number> {
  const chain = custodyFacts(facts);
  const producerOf = new Map(chain.batches.map((b) => [b.batchId, b.producer]));
  const next = new Map<string, Set<string>>();
  const parties = new Set<string>();
  const supplied = new Set<string>();
  const link = (from: string | null | undefined, to: string | null | undefined) => {
    if (!from || !to) return;
    parties.add(from).add(to);
    if (from === to) return;
    next.set(from, (next.get(from) ?? new Set()).add(to));
    supplied.add(to);
  };
  for (const b of chain.batches) parties.add(b.producer);
  for (const s of chain.shipments) link(s.from, s.to);
  for (const d of chain.derivations) link(producerOf.get(d.input), producerOf.get(d.output));
  const rootProducers = new Set(rootBatchIds.flatMap((id) => producerOf.get(id) ?? []));
  const starts = [...parties].filter((party) => !supplied.has(party) || rootProducers.has(party));
  const tiers = new Map<string, number>();
  const walk = (from: readonly string[]) => {
    let frontier = from.filter((party) => !tiers.has(party));
    for (const party of frontier) tiers.set(party, 0);
    for (let tier = 1; frontier.length > 0; tier += 1) {
      const reached = frontier.flatMap((party) => [...(next.get(party) ?? [])]);
      frontier = [...new Set(reached)].filter((party) => !tiers.has(party));
      for (const party of frontier) tiers.set(party, tier);
    }
  };
  walk(starts);
  walk([...parties]); // parties in a loop no start leads to
  return tiers;
}

/** What a party may see of a recall: whom it may name, and which batches. */
export interface RecallShare {
  readonly parties: ReadonlySet<string>;
  readonly batchIds: ReadonlySet<string>;
}

export function recallShare(facts: ScopeFacts, partyId: string): RecallShare {
  const share = oneUpOneDown(custodyFacts(facts), partyId);
  return { parties: new Set([partyId, ...share.parties.keys()]), batchIds: share.batchIds };
}

/** The facts of the batches in `affected` only, out of facts read for several recalls at once. */
export function factsWithin(facts: ScopeFacts, affected: ReadonlySet<string>): ScopeFacts {
  return {
    affected,
    batches: facts.batches.filter((b) => affected.has(b.batchId)),
    derivations: facts.derivations.filter((d) => affected.has(d.input) && affected.has(d.output)),
    shipments: facts.shipments.filter((s) => affected.has(s.batchId)),
    receipts: facts.receipts.filter((r) => affected.has(r.batchId)),
  };
}

/** The ids among `ids` the share shows, in their order. */
export const shownIds = (ids: readonly string[], share: RecallShare): string[] =>
  ids.filter((id) => share.batchIds.has(id));

/** The lines of a notice the share shows. */
export const shownLines = (lines: readonly NoticeLine[], share: RecallShare): NoticeLine[] =>
  lines.filter((line) => share.batchIds.has(line.batchId));

/** A recall and its notices as a party sees them: progress whole, names and ids within its share. */
export function recallSeenThrough(
  share: RecallShare,
  recall: RecallView,
  notices: readonly NoticeView[],
): { recall: RecallView; notices: NoticeView[] } {
  const shown = notices
    .filter((notice) => share.parties.has(notice.recipient))
    .map((notice) => ({ ...notice, batches: shownLines(notice.batches, share) }));
  const rootBatchIds = shownIds(recall.rootBatchIds, share);
  const affectedBatchIds = shownIds(recall.affectedBatchIds, share);
  const lines = (list: readonly NoticeView[]) => list.flatMap((notice) => notice.batches).length;
  const redacted =
    shown.length < notices.length ||
    lines(shown) < lines(notices) ||
    rootBatchIds.length < recall.rootBatchIds.length ||
    affectedBatchIds.length < recall.affectedBatchIds.length;
  return { recall: { ...recall, rootBatchIds, affectedBatchIds, redacted }, notices: shown };
}
