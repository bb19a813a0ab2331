/** The side panel of one batch: its timeline, its inspections and who answers for it (责任可究). */
import { getJson } from './api.js';
import { h } from './dom.js';
import { label } from './enum-labels.js';
import { formatDate, t, type MessageKey } from './i18n.js';
import { partyLabel } from './trace-graph.js';
import type { BatchDetail, Trace } from '../../common/api/trace.js';

interface Accountable {
  readonly role: MessageKey;
  readonly party: string;
  readonly operator: string | null;
}

/** Every party and responsible person the trace ties to this batch. */
function accountableFor(trace: Trace, batchId: string, detail: BatchDetail): Accountable[] {
  const rows: Accountable[] = [];
  if (detail.producer) {
    const processed = trace.derivations.some((d) => d.output === batchId);
    rows.push({
      role: processed ? 'roleProcessor' : 'roleProducer',
      party: detail.producer,
      operator: detail.operator,
    });
  }
  for (const s of trace.shipments.filter((shipment) => shipment.batchId === batchId)) {
    rows.push({ role: 'roleShipper', party: s.from, operator: s.operator });
    if (s.receivedAt) rows.push({ role: 'roleReceiver', party: s.to, operator: null });
  }
  for (const i of trace.inspections.filter((inspection) => inspection.batchId === batchId)) {
    rows.push({ role: 'roleInspector', party: i.inspector, operator: null });
  }
  return rows;
}

const table = (headers: string[], rows: Array<Array<string | Node>>) =>
  h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', {}, header)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((value) => h('td', {}, value))))),
  );

function renderDetail(trace: Trace, detail: BatchDetail): HTMLElement[] {
  const inspections = trace.inspections.filter((i) => i.batchId === detail.batchId);
  const flags = [
    detail.flags.recalled ? h('span', { class: 'badge recalled' }, t('recalled')) : null,
    detail.flags.failedInspection
      ? h('span', { class: 'badge failed' }, t('failedInspection'))
      : null,
  ];
  return [
    h('h2', {}, detail.batchId, ...flags),
    h(
      'dl',
      {},
      h('dt', {}, t('product')),
      h('dd', {}, detail.product ? `${detail.product.name} (${detail.product.id})` : '—'),
      h('dt', {}, t('producer')),
      h('dd', {}, detail.producer ? partyLabel(trace, detail.producer) : '—'),
      h('dt', {}, t('operator')),
      h('dd', {}, detail.operator ?? '—'),
      h('dt', {}, t('quantity')),
      h('dd', {}, detail.quantity === null ? '—' : `${detail.quantity} ${detail.unit ?? ''}`),
      h('dt', {}, t('producedAt')),
      h('dd', {}, formatDate(detail.producedAt)),
    ),
    h('h3', {}, t('timeline')),
    h(
      'ol',
      { class: 'timeline' },
      ...detail.timeline.map((entry) =>
        h(
          'li',
          { class: entry.retracted ? 'retracted' : undefined },
          h('time', {}, formatDate(entry.eventTime)),
          ' ',
          h('strong', {}, label('eventType', entry.eventType)),
          ` · ${partyLabel(trace, entry.party)}`,
          entry.operator ? ` · ${t('operator')}: ${entry.operator}` : '',
          entry.retracted ? ` (${t('retracted')})` : '',
        ),
      ),
    ),
    h('h3', {}, t('inspections')),
    inspections.length === 0
      ? h('p', {}, t('noInspections'))
      : table(
          [t('party'), t('status'), t('producedAt')],
          inspections.map((i) => [
            `${partyLabel(trace, i.inspector)} · ${label('inspectionKind', i.kind)}`,
            h(
              'span',
              { class: i.result === 'FAIL' ? 'fail' : 'pass' },
              t(i.result === 'FAIL' ? 'fail' : 'pass'),
            ),
            formatDate(i.at),
          ]),
        ),
    h('h3', {}, t('accountable')),
    table(
      [t('role'), t('party'), t('operator')],
      accountableFor(trace, detail.batchId, detail).map((row) => [
        t(row.role),
        partyLabel(trace, row.party),
        row.operator ?? '—',
      ]),
    ),
  ];
}

export async function showBatchPanel(panel: HTMLElement, trace: Trace, batchId: string) {
  panel.hidden = false;
  panel.replaceChildren(h('p', {}, t('loading')));
  try {
    const detail = await getJson<BatchDetail>(`/v1/batches/${encodeURIComponent(batchId)}`);
    const close = h('button', { class: 'close', type: 'button' }, t('close'));
    close.addEventListener('click', () => {
      panel.hidden = true;
    });
    panel.replaceChildren(close, ...renderDetail(trace, detail));
  } catch (error) {
    panel.replaceChildren(h('p', { class: 'error' }, t('error', { message: String(error) })));
  }
}
