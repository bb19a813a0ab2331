/**
 * The console's charts, drawn by Chart.js: the inspection failure rate per day (warnings view) and
 * recall effectiveness over time against the level's deadlines (recall view). Each chart's host
 * element names its series in `data-series`, so what is drawn can be read back.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import { h } from './dom.js';
import { formatDate, formatPercent, t } from './i18n.js';
import type { EffectivenessPoint, RecallView } from '../../common/api/recalls.js';
import type { FailureRates } from '../../common/api/warnings.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

const COLORS = ['#2e7d32', '#6a1b9a', '#00838f', '#ef6c00', '#5d4037', '#c2185b'];
const live = new Set<Chart>();

/** Releases every chart drawn (the console re-renders whole views). */
export function destroyCharts(): void {
  for (const chart of live) chart.destroy();
  live.clear();
}

function chartHost(
  name: string,
  labels: string[],
): { host: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', {});
  const host = h(
    'div',
    { class: `chart chart-${name}`, 'data-series': JSON.stringify(labels) },
    canvas,
  );
  return { host, canvas };
}

/** Failed inspections as a share of the day's inspections (line), over the day's count (bars). */
export function failureRateChart(rates: FailureRates): HTMLElement {
  const labels = [t('failureRate'), t('inspectionCount')];
  const { host, canvas } = chartHost('failure-rate', labels);
  const days = rates.days;
  live.add(
    new Chart(canvas, {
      data: {
        labels: days.map((day) => day.day),
        datasets: [
          {
            type: 'line',
            label: labels[0],
            data: days.map((day) => (day.inspections > 0 ? day.failures / day.inspections : null)),
            borderColor: '#c62828',
            backgroundColor: '#c62828',
            // A day without inspections has no rate: a break in the line, not a slope.
            spanGaps: false,
            pointRadius: 3,
            yAxisID: 'rate',
          },
          {
            type: 'bar',
            label: labels[1],
            data: days.map((day) => day.inspections),
            backgroundColor: 'rgb(29 79 145 / 25%)',
            yAxisID: 'count',
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          rate: {
            position: 'left',
            min: 0,
            max: 1,
            ticks: { callback: (value) => formatPercent(Number(value)) },
          },
          count: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } },
        },
      },
    }),
  );
  return host;
}

type Series = ChartDataset<'line', Array<{ x: number; y: number }>>;

const step = (label: string, color: string, data: Array<{ x: number; y: number }>): Series => ({
  label,
  data,
  borderColor: color,
  backgroundColor: color,
  stepped: 'before',
  pointRadius: 2,
});

/** A vertical line at `at` across the whole share axis: a deadline. */
const deadlineLine = (label: string, at: string, color: string): Series => ({
  label,
  data: [
    { x: Date.parse(at), y: 0 },
    { x: Date.parse(at), y: 1 },
  ],
  borderColor: color,
  backgroundColor: color,
  borderDash: [6, 4],
  pointRadius: 0,
});

/**
 * Notified and acknowledged as shares of the notices, recovered as a share of what was handled,
 * one line per unit; the start-by and complete-by deadlines as vertical dashed lines.
 */
export function effectivenessChart(
  recall: RecallView,
  points: EffectivenessPoint[],
  generatedAt: string,
): HTMLElement {
  const until = Math.max(Date.parse(generatedAt), ...points.map((point) => Date.parse(point.at)));
  const extended = [
    ...points,
    ...(points.length > 0 ? [{ ...points.at(-1)!, at: new Date(until).toISOString() }] : []),
  ];
  const notices = Math.max(recall.progress.notices, 1);
  const share = (select: (point: EffectivenessPoint) => number) =>
    extended.map((point) => ({ x: Date.parse(point.at), y: select(point) / notices }));
  const units = recall.progress.byUnit.filter((unit) => unit.handled > 0);
  const series: Series[] = [
    step(
      t('notifiedShare'),
      '#1d4f91',
      share((point) => point.notified),
    ),
    step(
      t('acknowledgedShare'),
      '#00838f',
      share((point) => point.acknowledged),
    ),
    ...units.map((unit, index) =>
      step(
        t('recoveredUnit', { unit: unit.unit || '—' }),
        COLORS[index % COLORS.length] ?? '#2e7d32',
        extended.map((point) => ({
          x: Date.parse(point.at),
          y:
            (point.recovered.find((line) => line.unit === unit.unit)?.quantity ?? 0) / unit.handled,
        })),
      ),
    ),
    deadlineLine(t('deadline'), recall.deadline, '#d98200'),
    deadlineLine(t('completeBy'), recall.completeBy, '#c62828'),
  ];
  const { host, canvas } = chartHost(
    'effectiveness',
    series.map((line) => String(line.label)),
  );
  live.add(
    new Chart(canvas, {
      type: 'line',
      data: { datasets: series },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: {
            type: 'linear',
            min: Date.parse(recall.startedAt),
            max: Math.max(until, Date.parse(recall.completeBy)),
            ticks: { callback: (value) => formatDate(new Date(Number(value)).toISOString()) },
          },
          y: {
            min: 0,
            suggestedMax: 1,
            title: { display: true, text: t('shareAxis') },
            ticks: { callback: (value) => formatPercent(Number(value)) },
          },
        },
      },
    }),
  );
  return host;
}
