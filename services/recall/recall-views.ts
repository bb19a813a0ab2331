/**
 * Pure: recall and notice rows shaped into API answers, the recall's progress, the summary report
 * (召回总结) and its CSV. Time is passed in, never read.
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
  RecallReport,
  RecallView,
  ReportRow,
  UnitProgress,
} from '../common/api/recalls.js';
import type { RecallLevel } from '../common/recall-policy.js';
import { recallDeadlines } from './deadlines.js';
import type { NoticeAnswerRow, NoticeRow, RecallRow } from './recall-queries.js';

export type { DeliveryStatus, NoticeView, RecallReport, RecallView, ReportRow };

/** Float sums of quantities print as entered, not as 0.30000000000000004. */
const roundQuantity = (value: number): number => Math.round(value * 1e6) / 1e6;
const sum = (values: readonly number[]): number => roundQuantity(values.reduce((a, b) => a + b, 0));
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

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

export function recallProgress(notices: readonly NoticeView[]): RecallProgress {
  const count = (test: (notice: NoticeView) => boolean) => notices.filter(test).length;
  return {
    notices: notices.length,
    delivered: count((notice) => notice.delivery.status === 'delivered'),
    acknowledged: count((notice) => notice.acknowledgedAt !== null),
    failed: count((notice) => notice.delivery.status === 'failed'),
    overdue: count((notice) => notice.overdue),
    recovered: sum(notices.map((notice) => notice.recovered)),
    destroyed: sum(notices.map((notice) => notice.destroyed)),
    handled: sum(notices.flatMap((notice) => notice.batches.map((line) => line.quantity))),
    byUnit: progressByUnit(notices),
  };
}

/** `notices` must be every notice of the recall: progress is counted over them. */
export function recallView(row: RecallRow, notices: readonly NoticeView[]): RecallView {
  const { startBy, completeBy } = recallDeadlines(row.level as RecallLevel, row.startedAt);
  return {
    recallId: row.recallId,
    level: row.level,
    mode: row.mode,
    status: row.closedAt === null ? 'open' : 'closed',
    reason: row.reason,
    initiatedBy: row.initiatedBy,
    startedAt: row.startedAt,
    deadline: startBy,
    completeBy,
    closedAt: row.closedAt,
    closedBy: row.closedBy,
    closeReason: row.closeReason,
    rootBatchIds: row.rootBatchIds,
    affectedBatchIds: [...new Set([...row.rootBatchIds, ...row.affectedBatchIds])].sort(byText),
    progress: recallProgress(notices),
  };
}

export function reportRow(notice: NoticeView): ReportRow {
  const units = notice.progressReports.flatMap((report) => (report.unit ? [report.unit] : []));
  return {
    noticeId: notice.noticeId,
    recipient: notice.recipient,
    recipientName: notice.recipientName,
    batches: notice.batches,
    issuedAt: notice.issuedAt,
    deadline: notice.deadline,
    deliveryStatus: notice.delivery.status,
    deliveredAt: notice.delivery.deliveredAt,
    attempts: notice.delivery.attempts,
    acknowledgedAt: notice.acknowledgedAt,
    recovered: notice.recovered,
    destroyed: notice.destroyed,
    reportUnits: [...new Set(units)].sort(byText),
    overdue: notice.overdue,
  };
}

export const REPORT_CSV_COLUMNS = [
  'recall_id',
  'notice_id',
  'recipient',
  'recipient_name',
  'batch_id',
  'quantity',
  'unit',
  'issued_at',
  'deadline',
  'delivery_status',
  'delivered_at',
  'attempts',
  'acknowledged_at',
  'notice_recovered',
  'notice_destroyed',
  'notice_report_units',
  'overdue',
] as const;

/**
 * RFC 4180 quoting. Text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed
 * with an apostrophe: party names and batch ids come from outside.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One line per notice and batch; the notice_* quantities are the notice's totals, repeated on
 * each of its lines. Starts with a UTF-8 BOM so spreadsheets read the Chinese names; CRLF ends.
 */
export function reportCsv(report: RecallReport): string {
  const lines = report.notices.flatMap((row) => {
    const batches = row.batches.length > 0 ? row.batches : [null];
    return batches.map((line) =>
      [
        report.recall.recallId,
        row.noticeId,
        row.recipient,
        row.recipientName,
        line?.batchId ?? null,
        line?.quantity ?? null,
        line?.unit ?? null,
        row.issuedAt,
        row.deadline,
        row.deliveryStatus,
        row.deliveredAt,
        row.attempts,
        row.acknowledgedAt,
        row.recovered,
        row.destroyed,
        row.reportUnits.join(' '),
        row.overdue,
      ]
        .map(csvCell)
        .join(','),
    );
  });
  return `\uFEFF${[REPORT_CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}
