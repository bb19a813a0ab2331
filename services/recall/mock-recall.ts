/**
 * The mock recall (演练): what a recall of some batches would reach now, computed like a real
 * recall and issuing nothing. A regulator drills any batches and sees the whole reach; a producer
 * drills only batches it produced, and sees of the reach what its traces would show it (its
 * customers, not theirs) with the count of parties at every tier.
 */
import { performance } from 'node:perf_hooks';
import {
  readsEverything,
  type Party,
  type PartyDirectory,
} from '../common/access/party-directory.js';
import type { MockRecallView } from '../common/api/recalls.js';
import { SuyuanError } from '../common/errors.js';
import type { TraceReads } from '../common/trace/trace-reads.js';
import { custodyTiers, recallShare, shownIds, shownLines } from './recall-reach.js';
import { computeRecallScope } from './recall-scope.js';

/** Regulators may drill any batches; a producer only batches it produced, all of them. */
async function checkMockAllowed(reads: TraceReads, caller: Party, rootBatchIds: string[]) {
  if (caller.roles.includes('regulator')) return;
  const batches = await reads.batches(rootBatchIds);
  const producers = new Map(batches.map((batch) => [batch.batchId, batch.producer]));
  const notOwn = rootBatchIds.filter((id) => producers.get(id) !== caller.partyId);
  if (notOwn.length > 0) {
    throw new SuyuanError(
      'forbidden',
      'rootBatchIds: a mock recall needs the regulator role or the producer of every root batch',
    );
  }
}

const countByTier = (recipients: readonly string[], tiers: ReadonlyMap<string, number>) => {
  const counts = new Map<number | null, number>();
  for (const recipient of recipients) {
    const tier = tiers.get(recipient) ?? null;
    counts.set(tier, (counts.get(tier) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
    .map(([tier, parties]) => ({ tier, parties }));
};

/** What a recall of the root batches would reach now: the notices it would issue, unissued. */
export async function mockRecall(
  deps: { readonly reads: TraceReads; readonly parties: PartyDirectory },
  caller: Party,
  rootBatchIds: string[],
): Promise<MockRecallView> {
  await checkMockAllowed(deps.reads, caller, rootBatchIds);
  const started = performance.now();
  const scope = await computeRecallScope(deps.reads, rootBatchIds);
  const tiers = custodyTiers(scope, rootBatchIds);
  const affected = [...scope.affected].sort();
  const share = readsEverything(caller) ? undefined : recallShare(scope, caller.partyId);
  const notices = share
    ? scope.notices
        .filter((notice) => share.parties.has(notice.recipient))
        .map((notice) => ({ ...notice, batches: shownLines(notice.batches, share) }))
    : scope.notices;
  const affectedBatchIds = share ? shownIds(affected, share) : affected;
  const lines = (list: typeof notices) => list.flatMap((notice) => notice.batches).length;
  const names = await deps.parties.find(notices.map((notice) => notice.recipient));
  return {
    rootBatchIds,
    affectedBatchIds,
    affectedBatchCount: affected.length,
    parties: notices.map((notice) => ({
      partyId: notice.recipient,
      name: names.get(notice.recipient)?.name ?? null,
      batches: notice.batches,
    })),
    byTier: countByTier(
      scope.notices.map((notice) => notice.recipient),
      tiers,
    ),
    redacted:
      notices.length < scope.notices.length ||
      lines(notices) < lines(scope.notices) ||
      affectedBatchIds.length < affected.length,
    truncated: scope.truncated,
    elapsedMs: Math.round(performance.now() - started),
  };
}
