/**
 * Regulator analytics scenario (issue 18): on the generated chain (1M batches at large scale),
 * the time to compute the risk warnings of the default rules, to list the gaps, and to export
 * the FSMA 204 spreadsheet of the busiest product for its last month (rows, and the time to the
 * CSV and to the XLSX). In process, on the store of the trace graph, as the routes run them. The
 * generated events lie in the past, so the windows slide from the chain's last inspection.
 */
import { cpus } from 'node:os';
import pino from 'pino';
import { createPartyDirectory } from '../../../services/common/access/party-directory.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import type { Store } from '../../../services/common/store/store.js';
import { DEFAULT_WARNING_RULES } from '../../../services/common/warning-rules.js';
import { fsmaCsv, fsmaXlsx } from '../../../services/trace-api/fsma204/fsma-files.js';
import { exportFsma204 } from '../../../services/trace-api/fsma204/fsma-routes.js';
import { findGaps } from '../../../services/trace-api/gaps/find-gaps.js';
import { computeWarnings } from '../../../services/common/warnings/compute-warnings.js';
import { latencyStats, loadAverage } from '../generator/stats.js';
import { ensureTraceGraph } from '../generator/trace-graph.js';
import type { Figure, Scenario, ScenarioResult } from './types.js';

const SAMPLES = 5;
const DAY_MS = 86_400_000;

async function timed<T>(samples: number, work: () => Promise<T>) {
  await work(); // the first touch of each part loads its marks
  const times: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    last = await work();
    times.push(performance.now() - started);
  }
  return { stats: latencyStats(times), last: last as T };
}

async function busiestProduct(store: Store) {
  const [row] = await store.query<{ productId: string; shipments: number; lastAt: string }>(
    `SELECT b.product_id AS productId, count() AS shipments, max(s.shipped_at) AS lastAt
     FROM shipments AS s INNER JOIN batches AS b ON b.batch_id = s.batch_id
     GROUP BY productId ORDER BY shipments DESC, productId LIMIT 1`,
  );
  if (!row) throw new Error('the graph has no shipments');
  return row;
}

export const regulatorScenario: Scenario = async (context): Promise<ScenarioResult> => {
  const loadAtStart = loadAverage();
  const graph = await ensureTraceGraph(context);
  const { manifest } = graph;
  const scaleText = `${manifest.batches.toLocaleString('en')} batches`;
  const store = createChdbStore({ path: `${graph.dataDir}/clickhouse` });
  try {
    await migrate(store, pino({ level: 'silent' }));
    const [last] = await store.query<{ at: string }>('SELECT max(at) AS at FROM inspections');
    const now = new Date(Date.parse(last?.at ?? new Date().toISOString()) + DAY_MS);
    const figures: Figure[] = [];

    context.progress('regulator: warnings');
    const warnings = await timed(SAMPLES, () => computeWarnings(store, DEFAULT_WARNING_RULES, now));
    figures.push({
      name: 'risk warnings computed, default rules',
      value: warnings.stats.p50,
      unit: 'ms (p50)',
      detail: {
        max: warnings.stats.max,
        n: SAMPLES,
        warnings: warnings.last.length,
        graph: scaleText,
      },
    });

    context.progress('regulator: gaps');
    const rules = { unreceivedAfterMs: 72 * 3_600_000, maxYield: 1 };
    const gaps = await timed(SAMPLES, () => findGaps(store, rules, { limit: 100, now }));
    figures.push({
      name: 'gaps listed, every kind',
      value: gaps.stats.p50,
      unit: 'ms (p50)',
      detail: { max: gaps.stats.max, n: SAMPLES, ...gaps.last.counts, graph: scaleText },
    });

    context.progress('regulator: FSMA 204 export');
    const product = await busiestProduct(store);
    const to = new Date(Date.parse(product.lastAt) + 1);
    const selection = {
      productId: product.productId,
      from: new Date(to.getTime() - 30 * DAY_MS).toISOString(),
      to: to.toISOString(),
    };
    const deps = { store, parties: createPartyDirectory(store) };
    for (const format of ['csv', 'xlsx'] as const) {
      const run = await timed(SAMPLES, async () => {
        const rows = await exportFsma204(deps, selection);
        const file = format === 'csv' ? Buffer.from(fsmaCsv(rows)) : await fsmaXlsx(rows);
        return { rows: rows.length, bytes: file.length };
      });
      figures.push({
        name: `FSMA 204 export of the busiest product for a month, ${format.toUpperCase()}`,
        value: run.stats.p50,
        unit: 'ms (p50)',
        target: 'within seconds on the 1M-batch graph',
        met: run.stats.max < 10_000,
        detail: {
          max: run.stats.max,
          n: SAMPLES,
          ...run.last,
          product: product.productId,
          graph: scaleText,
        },
      });
    }
    return {
      scenario: 'regulator',
      figures,
      notes: [
        `Windows slide from ${now.toISOString()} (a day after the chain's last inspection); the export covers ${selection.from} to ${selection.to}.`,
        `Machine load average (1 min) ${loadAtStart} at the start, ${loadAverage()} at the end, on ${cpus().length} cores.`,
      ],
    };
  } finally {
    await store.close();
  }
};
