/**
 * The warnings of the moment: every configured rule's signal computed from the projection over
 * its window, raised where it reaches its threshold, with each warning's state from
 * `warning_states`. Computed on each read, so a warning is never staler than the projection; the
 * state is what persists, keyed by the warning's stable id. Shared by the trace API's routes and
 * the recall service's warning watch, which pushes the 一级 ones to regulators.
 */
import type { WarningStateChange, WarningView } from '../api/warnings.js';
import type { Store } from '../store/store.js';
import { queryInChunks } from '../store/query-in-chunks.js';
import { windowMs, type WarningRule } from '../warning-rules.js';
import { commonCauses, raiseWarnings, type Edge } from './raise-warnings.js';
import {
  findFailedBatches,
  findInputsOf,
  findPartyRegions,
  findProductions,
  findSignal,
  type SignalRow,
} from './signal-queries.js';

/** How far above a failed batch the common-cause walk goes, and how many batches it reads. */
const MAX_UPSTREAM_DEPTH = 16;
const MAX_UPSTREAM_BATCHES = 20_000;

export async function computeWarnings(
  store: Store,
  rules: readonly WarningRule[],
  now: Date,
): Promise<WarningView[]> {
  const warnings: WarningView[] = [];
  // One rule after another: chDB runs one statement at a time.
  for (const rule of rules) {
    const since = new Date(now.getTime() - windowMs(rule));
    const rows =
      rule.signal === 'failed-outputs-by-upstream-batch'
        ? await upstreamSignal(store, since)
        : await findSignal(store, rule.signal, since);
    warnings.push(...raiseWarnings(rule, rows, since));
  }
  const states = await findStates(
    store,
    warnings.map((warning) => warning.warningId),
  );
  const regionOf = await warningRegions(store, warnings);
  return warnings
    .map((warning) => {
      const history = states.get(warning.warningId) ?? [];
      const region = regionOf(warning);
      return { ...warning, region, status: history.at(-1)?.status ?? 'open', history };
    })
    .sort((a, b) =>
      a.latestAt === b.latestAt
        ? a.warningId.localeCompare(b.warningId)
        : a.latestAt < b.latestAt
          ? 1
          : -1,
    );
}

/** The batches above the failed ones that several failures share. */
async function upstreamSignal(store: Store, since: Date): Promise<SignalRow[]> {
  const failed = await findFailedBatches(store, since);
  const edges: Edge[] = [];
  const seen = new Set(failed.map((batch) => batch.batchId));
  let frontier = [...seen];
  for (let depth = 0; depth < MAX_UPSTREAM_DEPTH && frontier.length > 0; depth += 1) {
    const level = await findInputsOf(store, frontier);
    edges.push(...level);
    frontier = [...new Set(level.map((edge) => edge.input))].filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
    if (seen.size > MAX_UPSTREAM_BATCHES) break;
  }
  const causes = commonCauses(failed, edges).filter((cause) => cause.failed.length > 1);
  const productions = await findProductions(
    store,
    causes.map((cause) => cause.batchId),
  );
  return causes.map(({ batchId, failed: below }) => ({
    subject: batchId,
    samples: below.length,
    failures: below.length,
    productId: productions.get(batchId)?.productId ?? null,
    partyId: productions.get(batchId)?.producer ?? null,
    inspectionEventIds: below.flatMap((batch) => batch.inspectionEventIds).sort(),
    defectEventIds: below.flatMap((batch) => batch.defectEventIds).sort(),
    batchIds: below.map((batch) => batch.batchId),
    latestAt:
      below
        .map((batch) => batch.latestAt)
        .sort()
        .at(-1) ?? since.toISOString(),
  }));
}

/**
 * The administrative division (GB/T 2260 code) each warning is about: a region's own code; else
 * the region of the suspected batch — the division of the site it was made at, else its
 * producer's registered region; else the registered region of the party the warning names; else
 * null. (A party's public profile words its region for the public check, and is not read here.)
 */
async function warningRegions(
  store: Store,
  warnings: readonly WarningView[],
): Promise<(warning: WarningView) => string | null> {
  const productions = await findProductions(
    store,
    warnings.flatMap((warning) => warning.suspectedBatchId ?? []),
  );
  const parties = await findPartyRegions(
    store,
    warnings.flatMap((warning) => warning.partyId ?? []),
  );
  return (warning) =>
    warning.subject.kind === 'region'
      ? warning.subject.id
      : ((warning.suspectedBatchId && productions.get(warning.suspectedBatchId)?.region) ??
        (warning.partyId && parties.get(warning.partyId)) ??
        null);
}

interface StateRow {
  readonly warningId: string;
  readonly status: WarningStateChange['status'];
  readonly reason: string | null;
  readonly recallId: string | null;
  readonly by: string;
  readonly at: string;
}

export async function findStates(
  store: Store,
  warningIds: readonly string[],
): Promise<Map<string, WarningStateChange[]>> {
  if (warningIds.length === 0) return new Map();
  // In parts: each warning's changes all come back in its part, in their order.
  const rows = await queryInChunks<StateRow>(
    store,
    `SELECT warning_id AS warningId, status, reason, recall_id AS recallId, changed_by AS by, at
     FROM warning_states FINAL WHERE warning_id IN {ids:Array(String)}
     ORDER BY at, change_id`,
    'ids',
    warningIds,
  );
  const byWarning = new Map<string, WarningStateChange[]>();
  for (const { warningId, ...change } of rows) {
    byWarning.set(warningId, [...(byWarning.get(warningId) ?? []), change]);
  }
  return byWarning;
}
