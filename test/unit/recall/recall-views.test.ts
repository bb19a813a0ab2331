import { describe, expect, it } from 'vitest';
import type {
  NoticeAnswerRow,
  NoticeRow,
  RecallRow,
} from '../../../services/recall/recall-queries.js';
import { recallEffectiveness } from '../../../services/recall/recall-effectiveness.js';
import {
  csvCell,
  EFFECTIVENESS_CSV_COLUMNS,
  reportCsv,
  reportRow,
  REPORT_CSV_COLUMNS,
  type RecallReport,
} from '../../../services/recall/recall-report.js';
import {
  deliveryStatus,
  noticeView,
  parseNoticeLines,
  recallProgress,
  recallView,
} from '../../../services/recall/recall-views.js';

const T = (day: number, hour = 8) =>
  `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

const notice = (overrides: Partial<NoticeRow> = {}): NoticeRow => ({
  noticeId: 'n-1',
  recallId: 'R-1',
  recipient: 'dairy',
  recipientName: '光明乳业',
  recipientHasWebhook: true,
  batches: JSON.stringify([{ batchId: 'B-1', quantity: 100, unit: 'kg' }]),
  actions: ['STOP_SALE'],
  deadline: T(11),
  issuedAt: T(10),
  recallClosedAt: null,
  attempts: 0,
  lastAttemptAt: null,
  lastStatus: null,
  lastError: null,
  nextAttemptAt: null,
  deliveredAt: null,
  answers: [],
  ...overrides,
});

const ack = (at: string): NoticeAnswerRow => ({
  kind: 'ACK',
  party: 'dairy',
  at,
  recovered: 0,
  destroyed: 0,
  unit: null,
  note: null,
});

const progress = (at: string, recovered: number, destroyed: number, unit = 'kg') => ({
  ...ack(at),
  kind: 'PROGRESS' as const,
  recovered,
  destroyed,
  unit,
});

const recall: RecallRow = {
  recallId: 'R-1',
  eventId: 'ev-r',
  initiatedBy: 'regulator',
  level: 1,
  mode: 'ordered',
  reason: 'melamine',
  rootBatchIds: ['B-1'],
  startedAt: T(10),
  closedAt: null,
  closedBy: null,
  closeReason: null,
  affectedBatchIds: ['B-2', 'B-1'],
};

const beforeDeadline = new Date(T(10, 20));
const afterDeadline = new Date(T(12));

describe('delivery status', () => {
  it('is no-webhook or pending before any attempt, depending on the recipient', () => {
    expect(deliveryStatus(notice({ recipientHasWebhook: false }))).toBe('no-webhook');
    expect(deliveryStatus(notice())).toBe('pending');
  });

  it('is retrying while a next attempt is planned, failed once given up', () => {
    const failed = { attempts: 2, lastStatus: 'failed', lastAttemptAt: T(10, 9) };
    expect(deliveryStatus(notice({ ...failed, nextAttemptAt: T(10, 10) }))).toBe('retrying');
    expect(deliveryStatus(notice({ ...failed, nextAttemptAt: null }))).toBe('failed');
  });

  it('is delivered once any attempt succeeded', () => {
    const row = notice({ attempts: 3, lastStatus: 'delivered', deliveredAt: T(10, 9) });
    expect(deliveryStatus(row)).toBe('delivered');
  });
});

describe('a notice', () => {
  it('is overdue past its deadline without an acknowledgement, judged by the injected now', () => {
    expect(noticeView(notice(), beforeDeadline).overdue).toBe(false);
    expect(noticeView(notice(), afterDeadline).overdue).toBe(true);
    const acknowledged = notice({ answers: [ack(T(10, 12))] });
    expect(noticeView(acknowledged, afterDeadline).overdue).toBe(false);
  });

  it('stops the overdue clock when its recall closed before the deadline', () => {
    const closedEarly = notice({ recallClosedAt: T(10, 12) });
    expect(noticeView(closedEarly, afterDeadline).overdue).toBe(false);
    const closedLate = notice({ recallClosedAt: T(11, 12) });
    expect(noticeView(closedLate, afterDeadline).overdue).toBe(true);
  });

  it('is acknowledged by its first answer and sums its progress reports', () => {
    const view = noticeView(
      notice({
        answers: [progress(T(11, 9), 0.1, 1), ack(T(10, 12)), progress(T(12, 9), 0.2, 2)],
      }),
      afterDeadline,
    );
    expect(view.acknowledgedAt).toBe(T(10, 12));
    expect(view.recovered).toBe(0.3);
    expect(view.destroyed).toBe(3);
    expect(view.progressReports.map((report) => report.at)).toEqual([T(11, 9), T(12, 9)]);
  });

  it('drops malformed batch lines rather than failing', () => {
    expect(parseNoticeLines('not json')).toEqual([]);
    expect(parseNoticeLines('[{"batchId":"B-1","quantity":5,"unit":"kg"},{"batchId":7}]')).toEqual([
      { batchId: 'B-1', quantity: 5, unit: 'kg' },
    ]);
  });
});

const NO_TIERS = new Map<string, number>();

describe('recall progress', () => {
  const notices = [
    notice({ deliveredAt: T(10, 9), attempts: 1, answers: [ack(T(10, 12))] }),
    notice({
      noticeId: 'n-2',
      recipient: 'shop',
      batches: JSON.stringify([
        { batchId: 'B-2', quantity: 40, unit: 'kg' },
        { batchId: 'B-3', quantity: 12, unit: 'box' },
      ]),
      attempts: 7,
      lastStatus: 'failed',
      answers: [progress(T(11, 9), 30, 5), progress(T(11, 10), 2, 1, 'box')],
    }),
    notice({ noticeId: 'n-3', recipient: 'farm', recipientHasWebhook: false }),
  ].map((row) => noticeView(row, afterDeadline));

  it('follows effectiveness over time: issued, acknowledged, recovered per unit, never summed across units', () => {
    expect(recallEffectiveness(notices)).toEqual([
      { at: T(10), notified: 3, acknowledged: 0, recovered: [] },
      { at: T(10, 12), notified: 3, acknowledged: 1, recovered: [] },
      { at: T(11, 9), notified: 3, acknowledged: 2, recovered: [{ unit: 'kg', quantity: 30 }] },
      {
        at: T(11, 10),
        notified: 3,
        acknowledged: 2,
        recovered: [
          { unit: 'box', quantity: 2 },
          { unit: 'kg', quantity: 30 },
        ],
      },
    ]);
    expect(recallEffectiveness([])).toEqual([]);
  });

  it('counts notices, deliveries, acknowledgements, give-ups and overdue ones', () => {
    expect(recallProgress(notices, NO_TIERS)).toMatchObject({
      notices: 3,
      delivered: 1,
      acknowledged: 2,
      failed: 1,
      overdue: 1,
      recovered: 32,
      destroyed: 6,
      handled: 252,
    });
  });

  it('sums handled, recovered and destroyed per unit', () => {
    expect(recallProgress(notices, NO_TIERS).byUnit).toEqual([
      { unit: 'box', handled: 12, recovered: 2, destroyed: 1 },
      { unit: 'kg', handled: 240, recovered: 30, destroyed: 5 },
    ]);
  });

  it('is all zeros for a recall without notices', () => {
    expect(recallProgress([], NO_TIERS)).toEqual({
      notices: 0,
      delivered: 0,
      acknowledged: 0,
      failed: 0,
      overdue: 0,
      recovered: 0,
      destroyed: 0,
      handled: 0,
      byUnit: [],
      byTier: [],
    });
  });

  it("counts notices by their recipients' tier, nearest first, and those off the chain last", () => {
    const tiers = new Map([
      ['farm', 0],
      ['dairy', 1],
    ]);
    expect(recallProgress(notices, tiers).byTier).toEqual([
      { tier: 0, notices: 1, delivered: 0, acknowledged: 0, failed: 0, overdue: 1 },
      { tier: 1, notices: 1, delivered: 1, acknowledged: 1, failed: 0, overdue: 0 },
      { tier: null, notices: 1, delivered: 0, acknowledged: 1, failed: 1, overdue: 0 },
    ]);
  });
});

describe('a recall', () => {
  it('takes its deadlines from the level and its status from the closure', () => {
    const view = recallView(recall, [], NO_TIERS);
    expect(view).toMatchObject({
      status: 'open',
      deadline: T(11),
      affectedBatchIds: ['B-1', 'B-2'],
    });
    expect(view.completeBy).toBe('2026-11-24T08:00:00.000Z');
    expect(
      recallView({ ...recall, closedAt: T(20), closeReason: 'done' }, [], NO_TIERS).status,
    ).toBe('closed');
  });
});

describe('the summary report as CSV', () => {
  const report: RecallReport = {
    generatedAt: T(12),
    recall: recallView(recall, [], NO_TIERS),
    effectiveness: [],
    notices: [
      reportRow(
        noticeView(
          notice({
            recipientName: '=HYPERLINK("x"), "Ltd"',
            batches: JSON.stringify([
              { batchId: 'B-1', quantity: 100, unit: 'kg' },
              { batchId: 'B-2', quantity: 5, unit: 'kg' },
            ]),
          }),
          afterDeadline,
        ),
      ),
    ],
  };

  it('starts with a BOM and the header, one CRLF line per notice and batch', () => {
    const csv = reportCsv(report, 'notices');
    expect(csv.startsWith(`\uFEFF${REPORT_CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(3);
  });

  it('quotes per RFC 4180 and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(reportCsv(report, 'notices')).toContain(`"'=HYPERLINK(""x""), ""Ltd"""`);
  });

  it('gives the effectiveness series a line per point and unit, against the deadlines', () => {
    const withSeries: RecallReport = {
      ...report,
      effectiveness: [
        { at: T(10), notified: 3, acknowledged: 0, recovered: [] },
        {
          at: T(11, 10),
          notified: 3,
          acknowledged: 2,
          recovered: [
            { unit: 'box', quantity: 2 },
            { unit: 'kg', quantity: 30 },
          ],
        },
      ],
    };
    const { deadline, completeBy } = withSeries.recall;
    expect(reportCsv(withSeries, 'effectiveness').trimEnd().split('\r\n')).toEqual([
      `\uFEFF${EFFECTIVENESS_CSV_COLUMNS.join(',')}`,
      `R-1,${T(10)},3,0,,,${deadline},${completeBy}`,
      `R-1,${T(11, 10)},3,2,box,2,${deadline},${completeBy}`,
      `R-1,${T(11, 10)},3,2,kg,30,${deadline},${completeBy}`,
    ]);
  });
});
