/**
 * Broken links (断链) and unbalanced quantities: the gaps by kind, each with its batches, its
 * shipment or transformation, the parties and the events behind it; one click on a batch opens
 * its trace.
 */
import { getJson } from './api.js';
import { h } from './dom.js';
import { label, valuesOf } from './enum-labels.js';
import { formatDate, t } from './i18n.js';
import type { GapList, GapView } from '../../common/api/gaps.js';

/** What survives a re-render (a language switch): the kind shown. */
export interface GapFilters {
  kind?: string;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function batchLinks(gap: GapView, openTrace: (batchId: string) => void): HTMLElement {
  return h(
    'span',
    { class: 'batch-links' },
    ...gap.batchIds.map((batchId) => {
      const link = h('button', { type: 'button', class: 'link', 'data-batch': batchId }, batchId);
      link.addEventListener('click', () => openTrace(batchId));
      return link;
    }),
  );
}

function gapRow(gap: GapView, openTrace: (batchId: string) => void): HTMLTableRowElement {
  const quantities = gap.quantities
    ? `${gap.quantities.in} / ${gap.quantities.out} ${gap.quantities.unit}`
    : '—';
  const cells: Array<string | Node> = [
    label('gapKind', gap.kind),
    batchLinks(gap, openTrace),
    gap.shipmentId ?? gap.transformationEventId ?? '—',
    gap.parties.join(', '),
    h('ul', { class: 'event-ids' }, ...gap.eventIds.map((id) => h('li', {}, h('code', {}, id)))),
    quantities,
    formatDate(gap.at),
  ];
  return h(
    'tr',
    { 'data-gap': gap.gapId, 'data-kind': gap.kind },
    ...cells.map((cell) => h('td', {}, cell)),
  );
}

function gapsTable(list: GapList, openTrace: (batchId: string) => void): HTMLElement {
  const counts = h(
    'ul',
    { class: 'gap-counts' },
    ...valuesOf('gapKind').map((kind) =>
      h(
        'li',
        { 'data-kind': kind },
        `${label('gapKind', kind)}: ${list.counts[kind as GapView['kind']]}`,
      ),
    ),
  );
  if (list.gaps.length === 0) return h('div', {}, counts, h('p', {}, t('noGaps')));
  const headers = [
    t('kind'),
    t('batches'),
    t('shipmentOrTransformation'),
    t('parties'),
    t('events'),
    t('quantities'),
    t('latestAt'),
  ];
  return h(
    'div',
    {},
    counts,
    h(
      'table',
      { class: 'gaps' },
      h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', {}, header)))),
      h('tbody', {}, ...list.gaps.map((gap) => gapRow(gap, openTrace))),
    ),
  );
}

export function gapsView(filters: GapFilters, openTrace: (batchId: string) => void): HTMLElement {
  const list = h('div', { class: 'gap-list' }, h('p', {}, t('loading')));
  const kind = h(
    'select',
    { name: 'kind', 'aria-label': t('kind') },
    h('option', { value: '' }, t('allKinds')),
    ...valuesOf('gapKind').map((value) =>
      h('option', { value, selected: value === filters.kind }, label('gapKind', value)),
    ),
  );
  const load = () => {
    const query = new URLSearchParams({ limit: '500' });
    if (filters.kind) query.set('kind', filters.kind);
    getJson<GapList>(`/v1/gaps?${query.toString()}`)
      .then((gaps) => list.replaceChildren(gapsTable(gaps, openTrace)))
      .catch((error: unknown) =>
        list.replaceChildren(h('p', { class: 'error' }, t('error', { message: messageOf(error) }))),
      );
  };
  kind.addEventListener('change', () => {
    filters.kind = kind.value || undefined;
    load();
  });
  load();
  return h(
    'section',
    { class: 'gaps-view' },
    h('h2', {}, t('gapsTitle')),
    h('p', { class: 'hint' }, t('gapsHint')),
    h('div', { class: 'filters' }, kind),
    list,
  );
}
