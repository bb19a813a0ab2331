/** The trace view: search, the drawn chain with its controls and legend, the batch panel. */
import { ApiError, getJson } from './api.js';
import { showBatchPanel } from './batch-panel.js';
import { traceCsv } from './csv.js';
import { download, h } from './dom.js';
import { formatDate, t } from './i18n.js';
import { drawTrace, type TraceGraph } from './trace-graph.js';
import type { BatchSearchHit, Trace } from '../../common/api/trace.js';

/** What survives a re-render (a language switch): the open trace and the depth shown. */
export interface TraceState {
  query: string;
  trace?: Trace;
  maxDepth?: number;
  graph?: TraceGraph;
  /** A batch whose trace to open when the view is next drawn (a click from another view). */
  open?: string;
}

const maxAbsDepth = (trace: Trace) =>
  trace.batches.reduce((max, batch) => Math.max(max, Math.abs(batch.depth)), 0);

function legend(): HTMLElement {
  const item = (swatch: string, label: string) =>
    h('li', {}, h('span', { class: `swatch ${swatch}` }), label);
  return h(
    'ul',
    { class: 'legend', 'aria-label': t('legend') },
    item('batch', t('legendBatch')),
    item('root', t('legendRoot')),
    item('recalled', t('legendRecalled')),
    item('failed', t('legendFailed')),
    item('party', t('legendParty')),
    item('derivation', t('legendDerivation')),
    item('shipment', t('legendShipment')),
  );
}

function toolbar(state: TraceState, trace: Trace): HTMLElement {
  const deepest = maxAbsDepth(trace);
  const depth = state.maxDepth ?? deepest;
  const slider = h('input', {
    type: 'range',
    min: '0',
    max: String(deepest),
    value: String(depth),
    id: 'depth',
  });
  const depthValue = h('output', { for: 'depth' }, depth);
  slider.addEventListener('input', () => {
    state.maxDepth = Number(slider.value);
    depthValue.textContent = slider.value;
    state.graph?.show(state.maxDepth);
  });
  const button = (label: string, action: () => void, name: string) => {
    const element = h('button', { type: 'button', 'data-action': name }, label);
    element.addEventListener('click', action);
    return element;
  };
  return h(
    'div',
    { class: 'toolbar' },
    button(t('fit'), () => state.graph?.fit(), 'fit'),
    button('+', () => state.graph?.zoom(1.25), 'zoom-in'),
    button('−', () => state.graph?.zoom(0.8), 'zoom-out'),
    h('label', {}, `${t('depth')} `, slider, ' ', depthValue),
    button(
      t('exportCsv'),
      () => download(`trace-${trace.root}.csv`, new Blob([traceCsv(trace)], { type: 'text/csv' })),
      'export-csv',
    ),
    h(
      'span',
      { class: 'count' },
      t('batchCount', { n: trace.batches.length, m: trace.shipments.length }),
    ),
    trace.redacted ? h('span', { class: 'badge redacted' }, t('redacted')) : null,
    trace.truncated ? h('span', { class: 'badge truncated' }, t('truncated')) : null,
    legend(),
  );
}

function renderTrace(state: TraceState, trace: Trace, area: HTMLElement): void {
  state.graph?.destroy();
  const canvas = h('div', { class: 'graph', id: 'graph' });
  const panel = h('aside', { class: 'panel', id: 'batch-panel', hidden: true });
  area.replaceChildren(toolbar(state, trace), h('div', { class: 'graph-area' }, canvas, panel));
  state.graph = drawTrace(canvas, trace, (batchId) => {
    void showBatchPanel(panel, trace, batchId);
  });
  state.graph.show(state.maxDepth ?? maxAbsDepth(trace));
}

async function openTrace(state: TraceState, batchId: string, area: HTMLElement) {
  area.replaceChildren(h('p', {}, t('loading')));
  try {
    state.trace = await getJson<Trace>(
      `/v1/batches/${encodeURIComponent(batchId)}/trace?direction=both`,
    );
    state.maxDepth = undefined;
    renderTrace(state, state.trace, area);
  } catch (error) {
    area.replaceChildren(h('p', { class: 'error' }, t('error', { message: messageOf(error) })));
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function hitList(state: TraceState, hits: BatchSearchHit[], area: HTMLElement): HTMLElement {
  if (hits.length === 0) return h('p', {}, t('noResults'));
  return h(
    'div',
    { class: 'hits' },
    h('h3', {}, t('searchResults')),
    h(
      'ul',
      {},
      ...hits.map((hit) => {
        const link = h('button', { type: 'button', class: 'link' }, hit.batchId);
        link.addEventListener('click', () => void openTrace(state, hit.batchId, area));
        return h(
          'li',
          {},
          link,
          ` ${hit.product.name} · ${hit.producer} · ${formatDate(hit.producedAt)}`,
        );
      }),
    ),
  );
}

/** A batch id opens its trace at once; anything else lists the batches it matches. */
async function search(state: TraceState, query: string, area: HTMLElement) {
  state.query = query;
  let hits: BatchSearchHit[];
  try {
    hits = await getJson<BatchSearchHit[]>(`/v1/batches?q=${encodeURIComponent(query)}&limit=50`);
  } catch (error) {
    // Without the search route (or with no right to it) a query is taken as a batch id.
    if (error instanceof ApiError && error.status !== 401) return openTrace(state, query, area);
    throw error;
  }
  const exact = hits.find((hit) => hit.batchId === query);
  if (exact || hits.length === 0) return openTrace(state, query, area);
  area.replaceChildren(hitList(state, hits, area));
}

export function traceView(state: TraceState): HTMLElement {
  const area = h('div', { class: 'trace-area' });
  const input = h('input', {
    type: 'search',
    name: 'q',
    placeholder: t('searchPlaceholder'),
    value: state.query,
    'aria-label': t('searchPlaceholder'),
  });
  const form = h('form', { class: 'search' }, input, h('button', { type: 'submit' }, t('search')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = input.value.trim();
    if (query) void search(state, query, area);
  });
  const open = state.open;
  state.open = undefined;
  if (open) queueMicrotask(() => void openTrace(state, open, area));
  else if (state.trace) queueMicrotask(() => state.trace && renderTrace(state, state.trace, area));
  return h('section', { class: 'trace-view' }, form, area);
}
