/**
 * Suspicious codes (regulators): codes of the public trace-code check that were checked from too
 * many client networks or too often — the mark of a copied code on counterfeit packages.
 */
import { getJson } from './api.js';
import { h } from './dom.js';
import { formatDate, t } from './i18n.js';
import type { SuspiciousCodeAnswer } from '../../common/api/public-check.js';

const reasonText = (reason: SuspiciousCodeAnswer['reasons'][number]) =>
  t(reason === 'networks' ? 'suspiciousNetworks' : 'suspiciousChecks');

function codesTable(codes: SuspiciousCodeAnswer[]): HTMLElement {
  const headers = [
    t('code'),
    t('checkCount'),
    t('networkCount'),
    t('firstChecked'),
    t('lastChecked'),
    t('why'),
  ];
  return h(
    'table',
    { class: 'suspicious' },
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', {}, header)))),
    h(
      'tbody',
      {},
      ...codes.map((code) =>
        h(
          'tr',
          { 'data-code': code.code },
          h('td', {}, h('a', { href: `?batch=${encodeURIComponent(code.code)}` }, code.code)),
          h('td', {}, String(code.count)),
          h('td', {}, String(code.networks)),
          h('td', {}, formatDate(code.firstCheckedAt)),
          h('td', {}, formatDate(code.lastCheckedAt)),
          h('td', {}, code.reasons.map(reasonText).join('; ')),
        ),
      ),
    ),
  );
}

export function suspiciousView(): HTMLElement {
  const list = h('div', { class: 'suspicious-list' }, h('p', {}, t('loading')));
  void getJson<SuspiciousCodeAnswer[]>('/v1/public-checks/suspicious?limit=200')
    .then((codes) =>
      list.replaceChildren(codes.length === 0 ? h('p', {}, t('noSuspicious')) : codesTable(codes)),
    )
    .catch((error: unknown) =>
      list.replaceChildren(
        h(
          'p',
          { class: 'error' },
          t('error', { message: error instanceof Error ? error.message : String(error) }),
        ),
      ),
    );
  return h(
    'section',
    { class: 'suspicious-view' },
    h('h2', {}, t('suspiciousTitle')),
    h('p', { class: 'hint' }, t('suspiciousHint')),
    list,
  );
}
