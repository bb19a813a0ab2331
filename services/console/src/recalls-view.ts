/** The recalls view: the list with progress bars, one recall's notices, the mock recall, the report. */
import { getBlob, getJson, postJson } from './api.js';
import { effectivenessChart } from './charts.js';
import { download, h } from './dom.js';
import { label } from './enum-labels.js';
import { formatDate, t } from './i18n.js';
import type {
  MockRecallView,
  NoticeView,
  RecallReport,
  RecallView,
} from '../../common/api/recalls.js';

/** A reason the platform wrote (after a defect report or a failed sampling) in the viewer's words. */
function reasonText({ reason, reasonParts: parts }: RecallView): string {
  if (parts.kind === 'defect') {
    const severity = label('defectSeverity', parts.severity);
    return t('recallReasonDefect', { ...parts, severity });
  }
  if (parts.kind === 'sampling') {
    return parts.findings === null
      ? t('recallReasonSampling')
      : t('recallReasonSamplingFindings', { findings: parts.findings });
  }
  return reason;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const showError = (into: HTMLElement, error: unknown) =>
  into.replaceChildren(h('p', { class: 'error' }, t('error', { message: messageOf(error) })));

type BarKind = 'notified' | 'acknowledged' | 'recovered';

function bar(kind: BarKind, text: string, value: number, total: number, unit = ''): HTMLElement {
  const share = total > 0 ? Math.min(1, value / total) : 0;
  const percent = Math.round(share * 100);
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${percent}%`;
  const figures = `${value} / ${total}${unit ? ` ${unit}` : ''}`;
  return h(
    'div',
    { class: `bar bar-${kind}`, title: figures, 'data-unit': unit || undefined },
    h('span', { class: 'bar-label' }, text),
    h('span', { class: 'track', role: 'progressbar', 'aria-valuenow': String(percent) }, fill),
    h('span', { class: 'bar-value' }, figures),
  );
}

/** Notices notified and acknowledged, then one bar per unit: kilograms and cans never add up. */
function progressBars(recall: RecallView): HTMLElement {
  const { progress } = recall;
  return h(
    'div',
    { class: 'progress' },
    bar('notified', t('notified'), progress.notices, progress.notices),
    bar('acknowledged', t('acknowledged'), progress.acknowledged, progress.notices),
    ...progress.byUnit
      .filter((unit) => unit.handled > 0 || unit.recovered > 0)
      .map((unit) =>
        bar(
          'recovered',
          t('recoveredUnit', { unit: unit.unit || '—' }),
          unit.recovered,
          unit.handled,
          unit.unit,
        ),
      ),
  );
}

/** A notice's recovered quantities, per unit of its reports. */
const recoveredOf = (notice: NoticeView): string => {
  const byUnit = new Map<string, number>();
  for (const report of notice.progressReports) {
    const unit = report.unit ?? '';
    byUnit.set(unit, (byUnit.get(unit) ?? 0) + report.recovered);
  }
  if (byUnit.size === 0) return '0';
  return [...byUnit].map(([unit, quantity]) => `${quantity} ${unit}`.trim()).join('; ');
};

const table = (headers: string[], rows: HTMLTableRowElement[]) =>
  h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', {}, header)))),
    h('tbody', {}, ...rows),
  );
const row = (...cells: Array<string | number | Node>) =>
  h('tr', {}, ...cells.map((cell) => h('td', {}, cell)));

function noticesTable(notices: NoticeView[]): HTMLElement {
  return table(
    [
      t('recipient'),
      t('batches'),
      t('delivery'),
      t('attempts'),
      t('acknowledged'),
      t('recovered'),
      t('overdue'),
      t('deadline'),
    ],
    notices.map((notice) => {
      const tr = row(
        notice.recipientName ? `${notice.recipientName} (${notice.recipient})` : notice.recipient,
        notice.batches
          .map((line) => `${line.batchId} ${line.quantity} ${line.unit ?? ''}`)
          .join('; '),
        label('delivery', notice.delivery.status),
        notice.delivery.attempts,
        formatDate(notice.acknowledgedAt),
        recoveredOf(notice),
        notice.overdue ? h('span', { class: 'badge overdue' }, t('overdue')) : t('no'),
        formatDate(notice.deadline),
      );
      if (notice.overdue) tr.classList.add('overdue');
      return tr;
    }),
  );
}

async function openRecall(recall: RecallView, into: HTMLElement) {
  into.replaceChildren(h('p', {}, t('loading')));
  try {
    const path = `/v1/recalls/${encodeURIComponent(recall.recallId)}`;
    const notices = await getJson<NoticeView[]>(`${path}/notices`);
    const summary = await getJson<RecallReport>(`${path}/report?format=json`);
    const csvButton = (action: string, table: string, label: string) => {
      const button = h('button', { type: 'button', class: 'link', 'data-action': action }, label);
      button.addEventListener('click', () => {
        getBlob(`${path}/report?format=csv&table=${table}`)
          .then((blob) => download(`${recall.recallId}-${table}.csv`, blob))
          .catch((error: unknown) => showError(into, error));
      });
      return button;
    };
    const report = csvButton('report', 'notices', t('report'));
    const effectivenessReport = csvButton(
      'effectiveness-report',
      'effectiveness',
      t('effectivenessReport'),
    );
    into.replaceChildren(
      h(
        'h2',
        {},
        recall.recallId,
        ' ',
        h('span', { class: `badge level-${recall.level}` }, t('levelN', { n: recall.level })),
      ),
      h('p', { class: 'recall-reason' }, reasonText(recall)),
      progressBars(summary.recall),
      h('h3', {}, t('effectiveness')),
      effectivenessChart(summary.recall, summary.effectiveness, summary.generatedAt),
      effectivenessReport,
      report,
      h('h3', {}, t('notices')),
      noticesTable(notices),
    );
  } catch (error) {
    showError(into, error);
  }
}

function recallsTable(recalls: RecallView[], detail: HTMLElement): HTMLElement {
  if (recalls.length === 0) return h('p', {}, t('noRecalls'));
  return table(
    [
      t('recallId'),
      t('level'),
      t('mode'),
      t('status'),
      t('deadline'),
      t('completeBy'),
      t('progress'),
    ],
    recalls.map((recall) => {
      const open = h('button', { type: 'button', class: 'link' }, recall.recallId);
      open.addEventListener('click', () => void openRecall(recall, detail));
      return row(
        open,
        t('levelN', { n: recall.level }),
        label('recallMode', recall.mode),
        label('recallStatus', recall.status),
        formatDate(recall.deadline),
        formatDate(recall.completeBy),
        progressBars(recall),
      );
    }),
  );
}

function mockForm(): HTMLElement {
  const input = h('input', {
    type: 'text',
    name: 'batchId',
    placeholder: t('mockBatch'),
    'aria-label': t('mockBatch'),
  });
  const result = h('div', { class: 'mock-result' });
  const form = h(
    'form',
    { class: 'mock' },
    h('h3', {}, t('mockRecall')),
    input,
    h('button', { type: 'submit' }, t('runMock')),
    result,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const batchId = input.value.trim();
    if (!batchId) return;
    postJson<MockRecallView>('/v1/recalls/mock', { rootBatchIds: [batchId] })
      .then((mock) =>
        result.replaceChildren(
          h(
            'p',
            {},
            t('mockResult', {
              n: mock.byTier.reduce((sum, tier) => sum + tier.parties, 0),
              b: mock.affectedBatchCount,
              ms: mock.elapsedMs,
            }),
          ),
          table(
            [t('party'), t('batches')],
            mock.parties.map((party) =>
              row(
                party.name ? `${party.name} (${party.partyId})` : party.partyId,
                party.batches.map((line) => line.batchId).join(', '),
              ),
            ),
          ),
        ),
      )
      .catch((error: unknown) => showError(result, error));
  });
  return form;
}

export function recallsView(): HTMLElement {
  const list = h('div', { class: 'recall-list' }, h('p', {}, t('loading')));
  const detail = h('div', { class: 'recall-detail' });
  getJson<RecallView[]>('/v1/recalls')
    .then((recalls) =>
      list.replaceChildren(h('h2', {}, t('recalls')), recallsTable(recalls, detail)),
    )
    .catch((error: unknown) => showError(list, error));
  return h('section', { class: 'recalls-view' }, list, detail, mockForm());
}
