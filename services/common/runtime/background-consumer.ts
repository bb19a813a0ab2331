/**
 * A log consumer (the projector, the recall consumer) started without holding up its process.
 * Joining a Kafka consumer group can take as long as the session timeout of a member that died
 * without leaving — the coordinator waits for it — and nothing else a service does needs the
 * group: its HTTP routes and the notifier read the store. So the process serves at once, and
 * `/readyz` says which consumers are still joining.
 */
import { isSuyuanError } from '../errors.js';
import type { ConsumerHealth } from '../log/consumer-health.js';
import type { SubscriptionState } from '../log/event-log.js';
import type { Logger } from '../logger.js';
import type { Worker } from './service-http.js';

export type ConsumerState = SubscriptionState | 'stopped';

export interface BackgroundConsumer extends Worker {
  /** The consumer group, as `/readyz` names it. */
  readonly group: string;
  /** Whether it gets on (common/log/consumer-health.ts), there from the start. */
  readonly health: ConsumerHealth;
  /**
   * Settles once `start` has succeeded, failed for good, or been given up on a stop: for a
   * process that must not serve before its consumer's start (the embedded projector's index).
   */
  readonly started: Promise<void>;
  state(): ConsumerState;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * Runs `start` (which subscribes as the consumer `health` watches, telling `onStateChange` how
 * joining goes) in the background. A start that fails is tried again after a growing pause,
 * unless the failure is one waiting cannot mend (a non-retryable SuyuanError): then the consumer
 * is `failed`.
 */
export function startInBackground(
  health: ConsumerHealth,
  logger: Logger,
  start: (onStateChange: (state: SubscriptionState) => void) => Promise<Worker>,
): BackgroundConsumer {
  const { group } = health;
  let state: ConsumerState = 'joining';
  let stopping = false;
  let worker: Worker | undefined;
  /** Ends the pause before the next try at once (on stop). */
  let endPause = (): void => undefined;
  const onStateChange = (next: SubscriptionState) => {
    if (!stopping) state = next;
  };

  async function attempt(delayMs: number): Promise<void> {
    try {
      worker = await start(onStateChange);
    } catch (err) {
      if (stopping) return;
      if (isSuyuanError(err) && !err.retryable) {
        state = 'failed';
        logger.error({ err, group }, 'consumer could not start');
        return;
      }
      logger.warn({ err, group, retryInMs: delayMs }, 'consumer could not start yet');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        endPause = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!stopping) return attempt(Math.min(delayMs * 2, MAX_RETRY_MS));
    }
  }

  const started = attempt(FIRST_RETRY_MS);
  return {
    group,
    health,
    started,
    state: () => state,
    async stop() {
      stopping = true;
      state = 'stopped';
      endPause();
      // A start under way (a Kafka consumer joining its group) is let finish, then stopped, so
      // the consumer leaves its group rather than leaving a member for the coordinator to expire.
      await started;
      await worker?.stop();
    },
  };
}
