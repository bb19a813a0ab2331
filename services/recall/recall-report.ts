/**
 * Pure: the summary report of a recall (召回总结) — the recall with its progress, and who was
 * told what, when — and its CSV.
 */
import type { NoticeView, RecallReport, ReportRow } from '../common/api/recalls.js';
import { csvCell, csvDocument } from '../common/csv.js';
import { byText } from './recall-views.js';

export type { RecallReport, ReportRow };
export { csvCell };

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
 * One line per notice and batch; the notice_* quantities are the notice's totals, repeated on
 * each of its lines. Starts with a UTF-8 BOM so spreadsheets read the Chinese names; CRLF ends.
 */
export function noticesCsv(report: RecallReport): string {
  const lines = report.notices.flatMap((row) => {
    const batches = row.batches.length > 0 ? row.batches : [null];
    return batches.map((line) => [
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
    ]);
  });
  return csvDocument(REPORT_CSV_COLUMNS, lines);
}

export const EFFECTIVENESS_CSV_COLUMNS = [
  'recall_id',
  'at',
  'notified',
  'acknowledged',
  'unit',
  'recovered',
  'recall_deadline',
  'recall_complete_by',
] as const;

/**
 * Recall effectiveness over time (召回效果), the series the report's chart draws: one line per
 * point and unit recovered by then (a point before any recovery has one line with no unit), so
 * kilograms and cans stay in lines of their own. The recall's deadlines repeat on every line, to
 * read each point against them in a spreadsheet.
 */
export function effectivenessCsv(report: RecallReport): string {
  const { recallId, deadline, completeBy } = report.recall;
  const lines = report.effectiveness.flatMap((point) => {
    const units = point.recovered.length > 0 ? point.recovered : [null];
    return units.map((line) => [
      recallId,
      point.at,
      point.notified,
      point.acknowledged,
      line?.unit ?? null,
      line?.quantity ?? null,
      deadline,
      completeBy,
    ]);
  });
  return csvDocument(EFFECTIVENESS_CSV_COLUMNS, lines);
}

/** The tables of the report's CSV: JSON holds them all, a CSV one. */
export const REPORT_TABLES = ['notices', 'effectiveness'] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

/** The report as CSV: the notices table, or the effectiveness series. */
export function reportCsv(report: RecallReport, table: ReportTable): string {
  return table === 'effectiveness' ? effectivenessCsv(report) : noticesCsv(report);
}
