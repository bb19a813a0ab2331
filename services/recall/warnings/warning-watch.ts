/**
 * The warning watch: on a schedule, computes the warnings of the 一级 rules (act now) from the
 * projection and records, for every regulator with a webhook, a notice of each open one it has
 * not been sent; the notifier delivers them as it delivers recall notices (signed, retried,
 * every attempt recorded).
 *
 * Exactly once, across restarts, replays and instances: a notice's id derives from the warning's
 * (itself stable for a rule and subject) and the regulator's, and what was recorded is read
 * before anything is written. A second round, a restarted or second watch, or one after a replay
 * of the projection (which recomputes the same warning ids) finds the notice recorded and writes
 * nothing; were two watches to race, both would write the same row under the same id, which the
 * store keeps once, and deliveries are keyed by that id. So a warning is pushed to a regulator
 * once in its life: one that falls below its threshold and rises again is the same warning,
 * already sent (its state, like a dismissal, also carries over).
 */
import type { WarningView } from '../../common/api/warnings.js';
import type { Logger } from '../../common/logger.js';
import { stableUuid } from '../../common/stable-id.js';
import { queryInChunks } from '../../common/store/query-in-chunks.js';
import type { Store } from '../../common/store/store.js';
import type { WarningRule } from '../../common/warning-rules.js';
import { computeWarnings } from '../../common/warnings/compute-warnings.js';

/** The level pushed to regulators: 一级, act now. */
export const PUSHED_LEVEL = 1;

export interface WarningWatchDeps {
  readonly store: Store;
  readonly logger: Logger;
  readonly rules: readonly WarningRule[];
  /** Pause between rounds; a round starts only after the previous one finished. */
  readonly intervalMs: number;
  readonly now?: () => Date;
}

export interface WarningWatch {
  /** Stops the schedule and waits for the round in progress. */
  stop(): Promise<void>;
}

export const warningNoticeId = (warningId: string, regulator: string): string =>
  stableUuid(`warning-notice/${warningId}/${regulator}`);

export function startWarningWatch(deps: WarningWatchDeps): WarningWatch {
  const logger = deps.logger.child({ component: 'warning-watch' });
  const now = deps.now ?? (() => new Date());
  const rules = deps.rules.filter((rule) => rule.level === PUSHED_LEVEL);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;
  const runAndReschedule = () => {
    round = recordWarningNotices(deps.store, rules, now())
      .then((recorded) => {
        if (recorded > 0) logger.info({ recorded }, 'warning notices recorded');
      })
      .catch((err: unknown) => logger.error({ err }, 'warning watch round failed'))
      .finally(() => {
        round = undefined;
        if (stopped) return;
        timer = setTimeout(runAndReschedule, deps.intervalMs);
        timer.unref();
      });
  };
  // Without a 一级 rule there is nothing to push: no rounds, no load on the store.
  if (rules.length > 0) runAndReschedule();
  logger.info(
    { rules: rules.map((rule) => rule.id), intervalMs: deps.intervalMs },
    'warning watch started',
  );
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
      logger.info({}, 'warning watch stopped');
    },
  };
}

/**
 * One round: the open warnings of `rules` at `now` that are of the pushed level, each recorded
 * for every regulator with a webhook that has no notice of it yet. Returns how many were recorded.
 */
export async function recordWarningNotices(
  store: Store,
  rules: readonly WarningRule[],
  now: Date,
): Promise<number> {
  const warnings = (await computeWarnings(store, rules, now)).filter(
    (warning) => warning.level === PUSHED_LEVEL && warning.status === 'open',
  );
  if (warnings.length === 0) return 0;
  const regulators = await findRegulatorsWithWebhooks(store);
  const wanted = warnings.flatMap((warning) =>
    regulators.map((regulator) => noticeRow(warning, regulator, now)),
  );
  const recorded = await findRecorded(
    store,
    wanted.map((row) => row.notice_id),
  );
  const fresh = wanted.filter((row) => !recorded.has(row.notice_id));
  if (fresh.length > 0) await store.insert('warning_notices', fresh);
  return fresh.length;
}

function noticeRow(warning: WarningView, regulator: string, now: Date) {
  // The state history is the regulators' own doing, not part of what is raised.
  const { history: _history, status: _status, ...raised } = warning;
  return {
    notice_id: warningNoticeId(warning.warningId, regulator),
    warning_id: warning.warningId,
    recipient: regulator,
    level: warning.level,
    warning: JSON.stringify(raised),
    raised_at: now.toISOString(),
  };
}

/** Regulators, not admins: a warning is news for those who act on it. */
async function findRegulatorsWithWebhooks(store: Store): Promise<string[]> {
  const rows = await store.query<{ partyId: string }>(
    `SELECT party_id AS partyId FROM parties FINAL
     WHERE has(roles, 'regulator') AND coalesce(webhook_url, '') != '' ORDER BY party_id`,
  );
  return rows.map((row) => row.partyId);
}

async function findRecorded(store: Store, noticeIds: readonly string[]): Promise<Set<string>> {
  if (noticeIds.length === 0) return new Set();
  const rows = await queryInChunks<{ noticeId: string }>(
    store,
    `SELECT DISTINCT notice_id AS noticeId FROM warning_notices
     WHERE notice_id IN {ids:Array(String)}`,
    'ids',
    noticeIds,
  );
  return new Set(rows.map((row) => row.noticeId));
}
