/**
 * Delivers recall notices, and the 一级 risk warnings recorded for regulators, to the parties' webhooks (Standard Webhooks: signed, timestamped, the
 * notice id as `webhook-id`), retrying on the configured schedule and recording every attempt in
 * `notice_deliveries`. A notice whose attempts are exhausted, or whose target is refused, is given
 * up: its last row is `failed` without a next attempt, visible and never dropped.
 *
 * All state is in the store, so a restarted notifier resumes where the last one stopped. A crash
 * after a POST but before its attempt is recorded sends that notice again with the same
 * `webhook-id` (and a fresh timestamp and signature); receivers dedupe on the id, as Standard
 * Webhooks asks. Attempts are recorded in batches, at the latest every `RECORD_EVERY_MS` or
 * `RECORD_BATCH` attempts, which bounds that window; one store insert per attempt would make the
 * store, not the receivers, the limit of a large recall. Run one notifier per store: two would
 * each send the due notices.
 */
import type { Logger } from '../../common/logger.js';
import type { Store } from '../../common/store/store.js';
import {
  findDueNotices,
  findDueWarningNotices,
  loadEndpoints,
  recordAttempts,
  type DeliveryRow,
  type DueNotice,
  type EndpointRow,
} from './notifier-queries.js';

export type { WebhookNotice, WebhookWarning } from './notifier-queries.js';
import { signWebhook } from './webhook-signature.js';
import {
  checkWebhookTarget,
  createWebhookAgents,
  errorText,
  postToTarget,
  type WebhookAgents,
} from '../../common/webhooks/webhook-target.js';

export interface NotifierDeps {
  readonly store: Store;
  readonly logger: Logger;
  /** Milliseconds before each retry; a notice gets `retrySchedule.length + 1` attempts. */
  readonly retrySchedule: readonly number[];
  /** Limit on one POST, from connecting to the response status. */
  readonly timeoutMs: number;
  /** Lets webhooks reach loopback and private addresses (local use and tests). */
  readonly allowPrivate: boolean;
  /** Pause between polling rounds; a round starts only after the previous one finished. */
  readonly pollIntervalMs: number;
  /** Deliveries in flight at once (default 16). */
  readonly concurrency?: number;
  readonly now?: () => Date;
}

export interface Notifier {
  /** Stops polling and waits for the deliveries in flight (and their records). */
  stop(): Promise<void>;
}

/** Notices of each kind taken per round; the rest are due again in the next round. */
const ROUND_LIMIT = 500;
/** Attempts recorded together at most, and the longest an attempt waits to be recorded. */
const RECORD_BATCH = 256;
const RECORD_EVERY_MS = 250;
const ERROR_TEXT_LIMIT = 200;
const USER_AGENT = 'Suyuan-Webhooks/1';

interface Context {
  readonly store: Store;
  readonly logger: Logger;
  readonly retrySchedule: readonly number[];
  readonly timeoutMs: number;
  readonly allowPrivate: boolean;
  readonly concurrency: number;
  readonly now: () => Date;
  readonly warnedUnsigned: Set<string>;
  readonly agents: WebhookAgents;
  stopped: boolean;
}

export function startNotifier(deps: NotifierDeps): Promise<Notifier> {
  const concurrency = Math.max(1, deps.concurrency ?? 16);
  const ctx: Context = {
    ...deps,
    logger: deps.logger.child({ component: 'notifier' }),
    concurrency,
    now: deps.now ?? (() => new Date()),
    warnedUnsigned: new Set(),
    agents: createWebhookAgents({ maxSockets: concurrency }),
    stopped: false,
  };
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;
  const runAndReschedule = () => {
    round = runRound(ctx)
      .catch((err: unknown) => ctx.logger.error({ err }, 'notifier round failed'))
      .finally(() => {
        round = undefined;
        if (ctx.stopped) return;
        timer = setTimeout(runAndReschedule, deps.pollIntervalMs);
        timer.unref();
      });
  };
  runAndReschedule();
  ctx.logger.info(
    { attempts: deps.retrySchedule.length + 1, concurrency: ctx.concurrency },
    'notifier started',
  );
  return Promise.resolve({
    async stop() {
      ctx.stopped = true;
      clearTimeout(timer);
      await round;
      ctx.agents.destroy();
      ctx.logger.info({}, 'notifier stopped');
    },
  });
}

async function runRound(ctx: Context): Promise<void> {
  // Up to the limit of each kind: a round full of recall notices still takes the warnings.
  const due = [
    ...(await findDueNotices(ctx.store, ctx.now(), ROUND_LIMIT)),
    ...(await findDueWarningNotices(ctx.store, ctx.now(), ROUND_LIMIT)),
  ];
  if (due.length === 0) return;
  const endpoints = await loadEndpoints(
    ctx.store,
    due.map((notice) => notice.recipient),
  );
  const journal = createJournal(ctx, endpoints);
  let next = 0;
  let recordedAt = performance.now();
  let writeFailure: { cause: unknown } | undefined;
  // A failed write stops the round: the workers finish what they hold and take nothing new, so
  // the next round never overlaps this one.
  const worker = async () => {
    while (!ctx.stopped && !writeFailure && next < due.length) {
      const notice = due[next++] as DueNotice;
      journal.add(notice, await attemptDelivery(ctx, notice));
      if (journal.size() < RECORD_BATCH && performance.now() - recordedAt < RECORD_EVERY_MS) {
        continue;
      }
      recordedAt = performance.now();
      await journal.flush().catch((cause: unknown) => (writeFailure ??= { cause }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.concurrency, due.length) }, worker));
  if (writeFailure) throw writeFailure.cause;
  await journal.flush();
}

/**
 * The attempts of a round and the endpoint states they lead to, written in batches. Endpoint
 * states start from the store and are updated in memory, one attempt at a time.
 */
function createJournal(ctx: Context, endpoints: Map<string, EndpointRow>) {
  const deliveries: DeliveryRow[] = [];
  const touched = new Set<string>();
  return {
    size: () => deliveries.length,
    add(notice: DueNotice, row: DeliveryRow) {
      const previous = endpoints.get(notice.recipient);
      const next = nextEndpointState(previous, notice, row, ctx.now());
      if (next.failing && !previous?.failing) {
        ctx.logger.warn({ partyId: notice.recipient }, 'webhook endpoint marked failing');
      }
      endpoints.set(notice.recipient, next);
      touched.add(notice.recipient);
      deliveries.push(row);
    },
    async flush() {
      const rows = deliveries.splice(0);
      const states = [...touched].flatMap((party) => endpoints.get(party) ?? []);
      touched.clear();
      await recordAttempts(ctx.store, rows, states);
    },
  };
}

/**
 * The failing-endpoint rule: an endpoint is `failing` once a notice to it is given up (attempts
 * exhausted, or target refused), and stays so until a 2xx. `consecutive_failures` counts failed
 * attempts since the last 2xx. A changed URL starts from a clean state.
 */
function nextEndpointState(
  previous: EndpointRow | undefined,
  notice: DueNotice,
  row: DeliveryRow,
  now: Date,
): EndpointRow {
  const same = previous?.url === notice.url ? previous : undefined;
  // ReplacingMergeTree keeps the highest updated_at, so it must grow with every state.
  const after = previous ? Date.parse(previous.updated_at) + 1 : 0;
  const base = {
    party_id: notice.recipient,
    url: notice.url,
    updated_at: new Date(Math.max(now.getTime(), after)).toISOString(),
  };
  if (row.status === 'delivered') {
    return {
      ...base,
      consecutive_failures: 0,
      failing: false,
      last_error: same?.last_error ?? null,
    };
  }
  return {
    ...base,
    consecutive_failures: (same?.consecutive_failures ?? 0) + 1,
    failing: (same?.failing ?? false) || row.next_attempt_at === null,
    last_error: row.error,
  };
}

interface Outcome {
  readonly delivered: boolean;
  readonly httpStatus: number | null;
  readonly error: string | null;
  /** A failure retrying cannot cure (a refused target). */
  readonly permanent: boolean;
}

async function attemptDelivery(ctx: Context, notice: DueNotice): Promise<DeliveryRow> {
  const attempt = notice.attempts + 1;
  const attemptedAt = ctx.now();
  const outcome = await send(ctx, notice, attemptedAt);
  const retryIn =
    outcome.delivered || outcome.permanent ? undefined : ctx.retrySchedule[attempt - 1];
  const row: DeliveryRow = {
    notice_id: notice.noticeId,
    attempt,
    url: notice.url,
    status: outcome.delivered ? 'delivered' : 'failed',
    http_status: outcome.httpStatus,
    error: outcome.error,
    attempted_at: attemptedAt.toISOString(),
    next_attempt_at:
      retryIn === undefined ? null : new Date(ctx.now().getTime() + retryIn).toISOString(),
  };
  logAttempt(ctx.logger, notice, row);
  return row;
}

async function send(ctx: Context, notice: DueNotice, at: Date): Promise<Outcome> {
  try {
    const target = await checkWebhookTarget(notice.url, { allowPrivate: ctx.allowPrivate });
    if (!target.allowed) return failure(target.reason, null, target.permanent);
    const body = JSON.stringify(notice.body);
    const response = await postToTarget(
      target,
      webhookHeaders(ctx, notice, at, body),
      body,
      ctx.timeoutMs,
      ctx.agents,
    );
    if ('error' in response) return failure(response.error, null);
    const { httpStatus } = response;
    if (httpStatus >= 200 && httpStatus < 300) {
      return { delivered: true, httpStatus, error: null, permanent: false };
    }
    return failure(`HTTP ${httpStatus}`, httpStatus);
  } catch (error) {
    return failure(errorText(error), null);
  }
}

const failure = (error: string, httpStatus: number | null, permanent = false): Outcome => ({
  delivered: false,
  httpStatus,
  error: error.slice(0, ERROR_TEXT_LIMIT),
  permanent,
});

function webhookHeaders(ctx: Context, notice: DueNotice, at: Date, body: string) {
  const timestamp = Math.floor(at.getTime() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': notice.noticeId,
    'webhook-timestamp': String(timestamp),
  };
  if (notice.secret) {
    headers['webhook-signature'] = signWebhook({
      id: notice.noticeId,
      timestamp,
      body,
      secret: notice.secret,
    });
  } else if (!ctx.warnedUnsigned.has(notice.recipient)) {
    ctx.warnedUnsigned.add(notice.recipient);
    ctx.logger.warn({ partyId: notice.recipient }, 'webhook has no secret, delivering unsigned');
  }
  return headers;
}

/** Fields first, a fixed message; never the secret, and only the URL's host. */
function logAttempt(logger: Logger, notice: DueNotice, row: DeliveryRow) {
  const fields = {
    kind: notice.kind,
    noticeId: notice.noticeId,
    recipient: notice.recipient,
    host: URL.canParse(notice.url) ? new URL(notice.url).host : undefined,
    attempt: row.attempt,
    httpStatus: row.http_status,
  };
  if (row.status === 'delivered') logger.info(fields, 'notice delivered');
  else if (row.next_attempt_at !== null) {
    logger.warn(
      { ...fields, error: row.error, nextAttemptAt: row.next_attempt_at },
      'notice delivery failed, will retry',
    );
  } else logger.error({ ...fields, error: row.error }, 'notice delivery given up');
}
