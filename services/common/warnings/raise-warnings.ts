/**
 * Pure: signals into warnings. A rule raises a warning for a subject whose figures in its window
 * reach its threshold — a rate over at least `minSamples` samples, or a count — and the warning's
 * id derives from the rule and the subject, so the same warning computed again is the same
 * warning, and what a regulator decided about it (its state) still holds. The common-cause signal
 * is computed here too, from the failed batches and the derivation edges above them.
 */
import type { WarningView } from '../api/warnings.js';
import { stableUuid } from '../stable-id.js';
import { RATE_SIGNALS, type WarningRule } from '../warning-rules.js';
import type { FailedBatch, SignalRow } from './signal-queries.js';

const SUBJECT_KIND = {
  'failure-rate-by-product': 'product',
  'failure-rate-by-producer': 'party',
  'failure-rate-by-region': 'region',
  'failure-rate-by-hazard': 'hazard',
  'failures-by-producer': 'party',
  'defects-by-product': 'product',
  'illness-complaints-by-product': 'product',
  'complaints-by-region': 'region',
  'failed-outputs-by-upstream-batch': 'batch',
} as const;

export const warningIdOf = (rule: WarningRule, subject: string): string =>
  stableUuid(`warning/${rule.id}/${subject}`);

export function raiseWarnings(
  rule: WarningRule,
  rows: readonly SignalRow[],
  since: Date,
): WarningView[] {
  const rate = RATE_SIGNALS.has(rule.signal);
  return rows.flatMap((row) => {
    const value = rate ? row.failures / row.samples : row.failures;
    if (row.samples < rule.minSamples || value < rule.threshold) return [];
    const kind = SUBJECT_KIND[rule.signal];
    const suspected = kind === 'batch' ? row.subject : (row.batchIds[0] ?? null);
    return [
      {
        warningId: warningIdOf(rule, row.subject),
        ruleId: rule.id,
        signal: rule.signal,
        level: rule.level,
        status: 'open' as const,
        subject: { kind, id: row.subject },
        productId: row.productId,
        partyId: row.partyId,
        // The party's region is read once for every warning (computeWarnings).
        region: null,
        value,
        samples: row.samples,
        threshold: rule.threshold,
        since: since.toISOString(),
        latestAt: row.latestAt,
        evidence: {
          inspectionEventIds: row.inspectionEventIds,
          defectEventIds: row.defectEventIds,
          batchIds: row.batchIds,
        },
        suspectedBatchId: suspected,
        trace:
          suspected === null
            ? null
            : `/v1/batches/${encodeURIComponent(suspected)}/trace?direction=both`,
        history: [],
      },
    ];
  });
}

export interface Edge {
  readonly input: string;
  readonly output: string;
}

/**
 * The batches upstream of several failed batches (a failed batch counts as its own upstream), with
 * the failed batches below each. Of a line of batches that share the same failures, only the
 * lowest is kept — the most specific common cause: milk that went only into one powder is no more
 * suspect than the powder, but milk that went into three products is, when all three failed.
 */
export function commonCauses(
  failed: readonly FailedBatch[],
  edges: readonly Edge[],
): Array<{ batchId: string; failed: FailedBatch[] }> {
  const inputsOf = new Map<string, string[]>();
  const outputsOf = new Map<string, string[]>();
  for (const { input, output } of edges) {
    inputsOf.set(output, [...(inputsOf.get(output) ?? []), input]);
    outputsOf.set(input, [...(outputsOf.get(input) ?? []), output]);
  }
  const below = new Map<string, Set<string>>();
  for (const batch of failed) {
    for (const ancestor of upstreamOf(batch.batchId, inputsOf)) {
      below.set(ancestor, (below.get(ancestor) ?? new Set()).add(batch.batchId));
    }
  }
  const byId = new Map(failed.map((batch) => [batch.batchId, batch]));
  return [...below]
    .filter(
      ([batchId, set]) =>
        !(outputsOf.get(batchId) ?? []).some((output) => below.get(output)?.size === set.size),
    )
    .map(([batchId, set]) => ({
      batchId,
      failed: [...set].sort().flatMap((id) => byId.get(id) ?? []),
    }))
    .sort((a, b) => a.batchId.localeCompare(b.batchId));
}

function upstreamOf(batchId: string, inputsOf: ReadonlyMap<string, string[]>): Set<string> {
  const seen = new Set([batchId]);
  for (let frontier = [batchId]; frontier.length > 0;) {
    frontier = frontier.flatMap((id) => inputsOf.get(id) ?? []).filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
  }
  return seen;
}
