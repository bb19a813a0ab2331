/**
 * Risk early warning (风险预警): the warnings by level, source, product, region and time, each
 * with its figures, evidence and state; the failure rate of inspections per day above them; one
 * click on the suspected batch opens its trace.
 */
import { getJson } from './api.js';
import { destroyCharts, failureRateChart } from './charts.js';
import { h } from './dom.js';
import { label, valuesOf } from './enum-labels.js';
import { formatDate, formatPercent, t } from './i18n.js';
import { warningActions } from './warning-actions.js';
import type { FailureRates, WarningView } from '../../common/api/warnings.js';

/** Where a warning's evidence came from: failed inspections, defect and complaint reports. */
type Source = 'inspection' | 'defect';

/** What survives a re-render (a language switch): the filters. */
export interface WarningFilters {
  level?: string;
  status?: string;
  source?: string;
  productId?: string;
  region?: string;
  from?: string;
  to?: string;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const sourcesOf = (warning: WarningView): Source[] => [
  ...(warning.evidence.inspectionEventIds.length > 0 ? (['inspection'] as const) : []),
  ...(warning.evidence.defectEventIds.length > 0 ? (['defect'] as const) : []),
];

/** The filters the API does not apply: source, region and the days of the latest event. */
function kept(warning: WarningView, filters: WarningFilters): boolean {
  const day = warning.latestAt.slice(0, 10);
  return (
    (!filters.source || sourcesOf(warning).includes(filters.source as Source)) &&
    (!filters.region || warning.region === filters.region) &&
    (!filters.from || day >= filters.from) &&
    (!filters.to || day <= filters.to)
  );
}

function figures(warning: WarningView): string {
  return warning.measure === 'rate'
    ? t('rateFigures', {
        value: formatPercent(warning.value),
        samples: warning.samples,
        threshold: formatPercent(warning.threshold),
      })
    : t('countFigures', { value: warning.value, threshold: warning.threshold });
}

function evidence(warning: WarningView): HTMLElement {
  const { inspectionEventIds, defectEventIds, batchIds } = warning.evidence;
  return h(
    'ul',
    { class: 'evidence' },
    inspectionEventIds.length > 0
      ? h('li', {}, t('evidenceInspections', { n: inspectionEventIds.length }))
      : null,
    defectEventIds.length > 0
      ? h('li', {}, t('evidenceDefects', { n: defectEventIds.length }))
      : null,
    h('li', {}, `${t('batches')}: ${batchIds.join(', ')}`),
  );
}

function warningRow(
  warning: WarningView,
  openTrace: (batchId: string) => void,
  refresh: () => void,
): HTMLTableRowElement {
  const suspected = warning.suspectedBatchId;
  const trace = suspected
    ? h(
        'button',
        { type: 'button', class: 'link', 'data-action': 'trace' },
        t('traceBatch', { batch: suspected }),
      )
    : '—';
  if (typeof trace !== 'string') trace.addEventListener('click', () => openTrace(suspected ?? ''));
  const cells: Array<string | Node> = [
    h('span', { class: `badge level-${warning.level}` }, t('levelN', { n: warning.level })),
    label('warningSignal', warning.signal),
    `${label('warningSubject', warning.subject.kind)} ${warning.subject.id}`,
    warning.productId ?? '—',
    warning.partyId ?? '—',
    warning.region ?? '—',
    figures(warning),
    formatDate(warning.latestAt),
    evidence(warning),
    trace,
    h('span', { class: `status status-${warning.status}` }, label('warningStatus', warning.status)),
    warningActions(warning, refresh),
  ];
  return h(
    'tr',
    { 'data-warning': warning.warningId, 'data-level': String(warning.level) },
    ...cells.map((cell) => h('td', {}, cell)),
  );
}

function warningsTable(
  warnings: WarningView[],
  openTrace: (batchId: string) => void,
  refresh: () => void,
): HTMLElement {
  if (warnings.length === 0) return h('p', {}, t('noWarnings'));
  const headers = [
    t('level'),
    t('source'),
    t('subject'),
    t('product'),
    t('party'),
    t('region'),
    t('figures'),
    t('latestAt'),
    t('evidence'),
    t('suspectedBatch'),
    t('status'),
    '',
  ];
  return h(
    'table',
    { class: 'warnings' },
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', {}, header)))),
    h('tbody', {}, ...warnings.map((warning) => warningRow(warning, openTrace, refresh))),
  );
}

function select(
  name: keyof WarningFilters,
  all: string,
  options: Array<[string, string]>,
  value = '',
) {
  return h(
    'select',
    { name, 'aria-label': all },
    h('option', { value: '' }, all),
    ...options.map(([option, text]) =>
      h('option', { value: option, selected: option === value }, text),
    ),
  );
}

function filterForm(
  filters: WarningFilters,
  regions: string[],
  apply: () => void,
): HTMLFormElement {
  const levels: Array<[string, string]> = ['1', '2', '3'].map((n) => [n, t('levelN', { n })]);
  const form = h(
    'form',
    { class: 'filters' },
    select('level', t('allLevels'), levels, filters.level),
    select(
      'source',
      t('allSources'),
      [
        ['inspection', t('sourceInspection')],
        ['defect', t('sourceDefect')],
      ],
      filters.source,
    ),
    select(
      'status',
      t('allStatuses'),
      valuesOf('warningStatus').map((s) => [s, label('warningStatus', s)]),
      filters.status,
    ),
    select(
      'region',
      t('allRegions'),
      regions.map((region) => [region, region]),
      filters.region,
    ),
    h('input', {
      type: 'text',
      name: 'productId',
      placeholder: t('productFilter'),
      'aria-label': t('productFilter'),
      value: filters.productId ?? '',
    }),
    h(
      'label',
      {},
      `${t('fromDate')} `,
      h('input', { type: 'date', name: 'from', value: filters.from ?? '' }),
    ),
    h(
      'label',
      {},
      `${t('toDate')} `,
      h('input', { type: 'date', name: 'to', value: filters.to ?? '' }),
    ),
    h('button', { type: 'submit' }, t('filter')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const key of ['level', 'status', 'source', 'productId', 'region', 'from', 'to'] as const) {
      const value =
        (
          form.elements.namedItem(key) as HTMLInputElement | HTMLSelectElement | null
        )?.value.trim() ?? '';
      filters[key] = value || undefined;
    }
    apply();
  });
  return form;
}

const DAY_MS = 86_400_000;

/** The chart's window: 30 days, or from the day filtered from (at most a year) to today. */
const chartDays = (from: string | undefined): number => {
  const since = from ? Date.parse(`${from}T00:00:00Z`) : NaN;
  if (Number.isNaN(since)) return 30;
  return Math.min(366, Math.max(1, Math.floor((Date.now() - since) / DAY_MS) + 1));
};

const apiQuery = (filters: WarningFilters): string => {
  const query = new URLSearchParams();
  if (filters.level) query.set('level', filters.level);
  if (filters.status) query.set('status', filters.status);
  if (filters.productId) query.set('productId', filters.productId);
  return query.size > 0 ? `?${query.toString()}` : '';
};

export function warningsView(
  filters: WarningFilters,
  openTrace: (batchId: string) => void,
): HTMLElement {
  const form = h('div', { class: 'filters-area' });
  const chart = h('div', { class: 'chart-area' });
  const list = h('div', { class: 'warning-list' }, h('p', {}, t('loading')));
  const load = () => {
    const rates = new URLSearchParams({ days: String(chartDays(filters.from)) });
    if (filters.productId) rates.set('productId', filters.productId);
    Promise.all([
      getJson<WarningView[]>(`/v1/warnings${apiQuery(filters)}`),
      getJson<FailureRates>(`/v1/failure-rates?${rates.toString()}`),
    ])
      .then(([warnings, series]) => {
        const regions = [...new Set(warnings.flatMap((w) => (w.region ? [w.region] : [])))].sort();
        form.replaceChildren(filterForm(filters, regions, load));
        destroyCharts();
        chart.replaceChildren(h('h3', {}, t('failureRateChart')), failureRateChart(series));
        const shown = warnings.filter((warning) => kept(warning, filters));
        list.replaceChildren(warningsTable(shown, openTrace, load));
      })
      .catch((error: unknown) =>
        list.replaceChildren(h('p', { class: 'error' }, t('error', { message: messageOf(error) }))),
      );
  };
  load();
  return h(
    'section',
    { class: 'warnings-view' },
    h('h2', {}, t('warningsTitle')),
    h('p', { class: 'hint' }, t('warningsHint')),
    form,
    chart,
    list,
  );
}
