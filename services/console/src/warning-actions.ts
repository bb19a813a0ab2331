/**
 * A regulator's decisions on one warning, through POST /v1/warnings/{id}/state: acknowledge,
 * dismiss with a reason, escalate to a recall, reopen. The API checks every rule; the form only
 * asks for what a decision needs before sending it.
 */
import { postJson } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import type { WarningStatus, WarningView } from '../../common/api/warnings.js';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function warningActions(
  warning: WarningView,
  changed: (warning: WarningView) => void,
): HTMLElement {
  const reason = h('input', {
    type: 'text',
    name: 'reason',
    placeholder: t('reason'),
    'aria-label': t('reason'),
  });
  const recallId = h('input', {
    type: 'text',
    name: 'recallId',
    placeholder: t('recallId'),
    'aria-label': t('recallId'),
  });
  const message = h('span', { class: 'error' });
  const send = (status: WarningStatus) => {
    const body: Record<string, string> = { status };
    if (reason.value.trim()) body.reason = reason.value.trim();
    if (status === 'escalated') body.recallId = recallId.value.trim();
    if (status === 'dismissed' && !body.reason) {
      message.textContent = t('reasonRequired');
      return;
    }
    if (status === 'escalated' && !body.recallId) {
      message.textContent = t('recallRequired');
      return;
    }
    postJson<WarningView>(`/v1/warnings/${encodeURIComponent(warning.warningId)}/state`, body)
      .then(changed)
      .catch((error: unknown) => {
        message.textContent = t('error', { message: messageOf(error) });
      });
  };
  const button = (status: WarningStatus, text: string) => {
    const element = h('button', { type: 'button', 'data-status': status }, text);
    element.addEventListener('click', () => send(status));
    return element;
  };
  return h(
    'div',
    { class: 'warning-actions' },
    warning.status === 'open'
      ? button('acknowledged', t('acknowledge'))
      : button('open', t('reopen')),
    h('span', { class: 'action-group' }, reason, button('dismissed', t('dismiss'))),
    h('span', { class: 'action-group' }, recallId, button('escalated', t('escalate'))),
    message,
  );
}
