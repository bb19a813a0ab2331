/**
 * Pure: recall and notice rows shaped into API answers and the recall's progress (the summary
 * report is recall-report.ts). Time is passed in, never read.
 *
 * Decisions: a notice counts as acknowledged from its first answer of either kind (a recipient
 * that reports progress has plainly received it); progress reports are increments, so a
 * notice's recovered and destroyed quantities are their sums; a closed recall stops the overdue
 * clock at its closure.
 */
import type {
  DeliveryStatus,
  NoticeLine,
  NoticeView,
  ProgressReport,
  RecallProgress,
  RecallView,
  TierProgress,
  UnitProgress,
} from '../common/api/recalls.js';
import type { RecallLevel } from '../common/recall-policy.js';
import { recallDeadlines } from './deadlines.js';
import type { NoticeAnswerRow, NoticeRow, RecallRow } from './recall-queries.js';
import { readSystemReason } from './recall-reasons.js';

export type { DeliveryStatus, NoticeView, RecallView };

/** Float sums of quantities print as entered, not as 0.30000000000000004. */
const roundQuantity = (value: number): number => Math.round(value * 1e6) / 1e6;
const sum = (values: readonly number[]): number => roundQuantity(values.reduce((a, b) => a + b, 0));
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function deliveryStatus(row: NoticeRow): DeliveryStatus {
  if (row.deliveredAt !== null) return 'delivered';
  if (row.attempts === 0) return row.recipientHasWebhook ? 'pending' : 'no-webhook';
  return row.nextAttemptAt === null ? 'failed' : 'retrying';
}

/** The notice lines stored as JSON; malformed entries are dropped rather than failing a read. */
export function parseNoticeLines(text: string): NoticeLine[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((entry: unknown) => {
    const line = entry as Partial<Record<keyof NoticeLine, unknown>> | null;
    if (typeof line?.batchId !== 'string' || typeof line.quantity !== 'number') return [];
    const unit = typeof line.unit === 'string' ? line.unit : '';
    return [{ batchId: line.batchId, quantity: line.quantity, unit }];
  });
}

const progressReport = (answer: NoticeAnswerRow): ProgressReport => ({
  at: answer.at,
  party: answer.party,
  recovered: answer.recovered,
  destroyed: answer.destroyed,
  unit: answer.unit,
  note: answer.note,
});

export function noticeView(row: NoticeRow, now: Date): NoticeView {
  const answers = [...row.answers].sort((a, b) => byText(a.at, b.at));
  const acknowledgedAt = answers[0]?.at ?? null;
  const reports = answers.filter((answer) => answer.kind === 'PROGRESS').map(progressReport);
  const closedAt = row.recallClosedAt === null ? Infinity : Date.parse(row.recallClosedAt);
  const clock = Math.min(now.getTime(), closedAt);
  return {
    noticeId: row.noticeId,
    recallId: row.recallId,
    recipient: row.recipient,
    recipientName: row.recipientName,
    batches: parseNoticeLines(row.batches),
    actions: row.actions,
    deadline: row.deadline,
    issuedAt: row.issuedAt,
    overdue: acknowledgedAt === null && Date.parse(row.deadline) < clock,
    delivery: {
      status: deliveryStatus(row),
      attempts: row.attempts,
      lastAttemptAt: row.lastAttemptAt,
      lastError: row.lastError,
      nextAttemptAt: row.nextAttemptAt,
      deliveredAt: row.deliveredAt,
    },
    acknowledgedAt,
    recovered: sum(reports.map((report) => report.recovered)),
    destroyed: sum(reports.map((report) => report.destroyed)),
    progressReports: reports,
  };
}

function progressByUnit(notices: readonly NoticeView[]): UnitProgress[] {
  const units = new Map<string, { handled: number; recovered: number; destroyed: number }>();
  const of = (unit: string | null) => {
    const key = unit ?? '';
    const totals = units.get(key) ?? { handled: 0, recovered: 0, destroyed: 0 };
    units.set(key, totals);
    return totals;
  };
  for (const notice of notices) {
    for (const line of notice.batches) of(line.unit).handled += line.quantity;
    for (const report of notice.progressReports) {
      const totals = of(report.unit);
      totals.recovered += report.recovered;
      totals.destroyed += report.destroyed;
    }
  }
  return [...units.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([unit, totals]) => ({
      unit,
      handled: roundQuantity(totals.handled),
      recovered: roundQuantity(totals.recovered),
      destroyed: roundQuantity(totals.destroyed),
    }));
}

function noticeCounts(notices: readonly NoticeView[]) {
  const count = (test: (notice: NoticeView) => boolean) => notices.filter(test).length;
  return {
    notices: notices.length,
    delivered: count((notice) => notice.delivery.status === 'delivered'),
    acknowledged: count((notice) => notice.acknowledgedAt !== null),
    failed: count((notice) => notice.delivery.status === 'failed'),
    overdue: count((notice) => notice.overdue),
  };
}

function progressByTier(
  notices: readonly NoticeView[],
  tiers: ReadonlyMap<string, number>,
): TierProgress[] {
  const byTier = new Map<number | null, NoticeView[]>();
  for (const notice of notices) {
    const tier = tiers.get(notice.recipient) ?? null;
    const members = byTier.get(tier) ?? [];
    members.push(notice);
    byTier.set(tier, members);
  }
  return [...byTier.entries()]
    .sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
    .map(([tier, members]) => ({ tier, ...noticeCounts(members) }));
}

/** `tiers`: each recipient's tier on the recall's chain (recall-reach.ts). */
export function recallProgress(
  notices: readonly NoticeView[],
  tiers: ReadonlyMap<string, number>,
): RecallProgress {
  return {
    ...noticeCounts(notices),
    recovered: sum(notices.map((notice) => notice.recovered)),
    destroyed: sum(notices.map((notice) => notice.destroyed)),
    handled: sum(notices.flatMap((notice) => notice.batches.map((line) => line.quantity))),
    byUnit: progressByUnit(notices),
    byTier: progressByTier(notices, tiers),
  };
}

/** `notices` must be every notice of the recall: progress is counted over them. */
export function recallView(
  row: RecallRow,
  notices: readonly NoticeView[],
  tiers: ReadonlyMap<string, number>,
): RecallView {
  const { startBy, completeBy } = recallDeadlines(row.level as RecallLevel, row.startedAt);
  return {
    recallId: row.recallId,
    level: row.level,
    mode: row.mode,
    status: row.closedAt === null ? 'open' : 'closed',
    reason: row.reason,
    reasonParts: readSystemReason(row.reason),
    initiatedBy: row.initiatedBy,
    startedAt: row.startedAt,
    deadline: startBy,
    completeBy,
    closedAt: row.closedAt,
    closedBy: row.closedBy,
    closeReason: row.closeReason,
    rootBatchIds: row.rootBatchIds,
    affectedBatchIds: [...new Set([...row.rootBatchIds, ...row.affectedBatchIds])].sort(byText),
    progress: recallProgress(notices, tiers),
    redacted: false,
  };
}
