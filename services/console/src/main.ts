/** The console shell: sign-in, the views and the language switch. */
import './styles.css';
import { forgetKey, storedKey, storeKey, tryKey, whenUnauthorized } from './api.js';
import { destroyCharts } from './charts.js';
import { h } from './dom.js';
import { gapsView, type GapFilters } from './gaps-view.js';
import { language, setLanguage, t } from './i18n.js';
import { recallsView } from './recalls-view.js';
import { suspiciousView } from './suspicious-view.js';
import { traceView, type TraceState } from './trace-view.js';
import { warningsView, type WarningFilters } from './warnings-view.js';

type View = 'trace' | 'recalls' | 'warnings' | 'gaps' | 'suspicious';

const root = document.querySelector<HTMLElement>('#app') ?? document.body;
const traceState: TraceState = { query: new URLSearchParams(location.search).get('batch') ?? '' };
const warningFilters: WarningFilters = {};
const gapFilters: GapFilters = {};
let view: View = 'trace';
let notice = '';

/** One click from a warning or a gap: the trace view, opening that batch's trace. */
function openTrace(batchId: string): void {
  traceState.query = batchId;
  traceState.trace = undefined;
  traceState.open = batchId;
  view = 'trace';
  render();
}

function signIn(): HTMLElement {
  const input = h('input', {
    type: 'password',
    name: 'apiKey',
    autocomplete: 'off',
    'aria-label': t('apiKey'),
    placeholder: t('apiKey'),
  });
  const message = h('p', { class: 'error' }, notice);
  const form = h(
    'form',
    { class: 'sign-in' },
    h('h2', {}, t('signInTitle')),
    input,
    h('button', { type: 'submit' }, t('signIn')),
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    void tryKey(key).then((accepted) => {
      if (!accepted) {
        message.textContent = t('signInFailed');
        return;
      }
      storeKey(key);
      notice = '';
      render();
    });
  });
  return form;
}

function header(): HTMLElement {
  const tab = (name: View, label: string) => {
    const button = h(
      'button',
      { type: 'button', class: view === name ? 'tab active' : 'tab', 'data-view': name },
      label,
    );
    button.addEventListener('click', () => {
      view = name;
      render();
    });
    return button;
  };
  const switchLanguage = h(
    'button',
    { type: 'button', class: 'language', 'data-action': 'language' },
    t('language'),
  );
  switchLanguage.addEventListener('click', () => {
    setLanguage(language() === 'en' ? 'zh-CN' : 'en');
    render();
  });
  const signedIn = storedKey() !== null;
  const signOut = h('button', { type: 'button', 'data-action': 'sign-out' }, t('signOut'));
  signOut.addEventListener('click', () => {
    forgetKey();
    render();
  });
  return h(
    'header',
    {},
    h('h1', {}, t('appTitle')),
    signedIn
      ? h(
          'nav',
          {},
          tab('trace', t('traceTab')),
          tab('recalls', t('recallsTab')),
          tab('warnings', t('warningsTab')),
          tab('gaps', t('gapsTab')),
          tab('suspicious', t('suspiciousTab')),
        )
      : null,
    h('div', { class: 'spacer' }),
    switchLanguage,
    signedIn ? signOut : null,
  );
}

function render(): void {
  traceState.graph?.destroy();
  traceState.graph = undefined;
  destroyCharts();
  document.title = t('appTitle');
  const views: Record<View, () => HTMLElement> = {
    trace: () => traceView(traceState),
    recalls: recallsView,
    warnings: () => warningsView(warningFilters, openTrace),
    gaps: () => gapsView(gapFilters, openTrace),
    suspicious: suspiciousView,
  };
  const main = storedKey() === null ? signIn() : views[view]();
  root.replaceChildren(header(), h('main', {}, main));
}

whenUnauthorized(() => {
  notice = t('sessionExpired');
  render();
});
setLanguage(language());
render();
