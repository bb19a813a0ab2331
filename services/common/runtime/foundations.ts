/**
 * What every service stands on: the event log, the store (migrated), the Avro codec and the party
 * directory. Both modes open them here. In distributed mode Kafka or ClickHouse may still be
 * starting, so each is awaited for a bounded time; past it, start-up fails naming what could not
 * be reached and why.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createPartyDirectory, type PartyDirectory } from '../access/party-directory.js';
import { createPublicProfiles, type PublicProfiles } from '../access/public-profiles.js';
import type { Config } from '../config.js';
import { isSuyuanError, SuyuanError } from '../errors.js';
import { createSetAsideMemory, type SetAsideMemory } from '../dead-letters/set-aside-memory.js';
import { createEventCodec, type EventCodec } from '../events/codec.js';
import { decodeOnce } from '../events/decode-once.js';
import { createRegistryCodec } from '../events/schema-registry.js';
import { createEventLog } from '../log/create-event-log.js';
import type { EventLog } from '../log/event-log.js';
import type { Logger } from '../logger.js';
import { createStore } from '../store/create-store.js';
import { migrate } from '../store/migrations.js';
import type { Store } from '../store/store.js';
import { EVENTS_DEAD_LETTER_TOPIC, EVENTS_TOPIC } from '../topics.js';

export interface Foundations {
  readonly log: EventLog;
  readonly store: Store;
  readonly codec: EventCodec;
  readonly parties: PartyDirectory;
  /** What each party lets the public trace-code check show of it. */
  readonly publicProfiles: PublicProfiles;
  /**
   * What the consumers skip, kept in memory when this process is the store's only writer
   * (chDB); with a shared ClickHouse server another service may quarantine, so they ask it.
   */
  readonly setAsideMemory?: SetAsideMemory;
  close(): Promise<void>;
}

/** Names the log and store a configuration points at, for start-up messages. */
export function describeLog(config: Config): string {
  const log = config.eventLog;
  return log.kind === 'kafka'
    ? `Kafka at ${log.brokers.join(',')}`
    : `the embedded log ${log.path}`;
}

export function describeStore(config: Config): string {
  const store = config.store;
  return store.kind === 'clickhouse' ? `ClickHouse at ${store.url}` : `chDB in ${store.path}`;
}

/**
 * Retries `attempt` until it resolves or `timeoutMs` has passed, then fails with the last error.
 * Waits grow from 250 ms to 5 s.
 */
export async function withinStartupTimeout<T>(
  what: string,
  timeoutMs: number,
  logger: Logger,
  attempt: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 250;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      // A refusal (a bad setting, a schema the registry rejects) will not get better by waiting.
      if (isSuyuanError(error) && !error.retryable) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (Date.now() + delayMs > deadline) {
        throw new SuyuanError(
          'startup_failed',
          `could not reach ${what} within ${Math.round(timeoutMs / 1000)} s (STARTUP_TIMEOUT_MS): ${message}`,
          { cause: error },
        );
      }
      logger.warn({ what, tries, error: message, retryInMs: delayMs }, 'not reachable yet');
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 5_000);
    }
  }
}

export async function openFoundations(config: Config, logger: Logger): Promise<Foundations> {
  const wait = <T>(what: string, attempt: () => Promise<T>) =>
    withinStartupTimeout(what, config.startupTimeoutMs, logger, attempt);
  const storeName = describeStore(config);
  const openStore = async () => {
    const store = await wait(storeName, async () => {
      const candidate = await createStore(config.store);
      try {
        await candidate.ping();
        return candidate;
      } catch (error) {
        await candidate.close().catch(() => undefined);
        throw error;
      }
    });
    // Several services may migrate at once in distributed mode; a lost race is retried.
    await wait(storeName, () => migrate(store, logger.child({ component: 'migrations' })));
    return store;
  };
  const log = createEventLog(config.eventLog, logger);
  const openLog = () =>
    wait(describeLog(config), async () => {
      await log.ping();
      await log.ensureTopic(EVENTS_TOPIC);
      await log.ensureTopic(EVENTS_DEAD_LETTER_TOPIC);
    });
  // Side by side: a restarted service is back as soon as the slower of the two answers.
  const [store] = await Promise.all([openStore(), openLog()]);
  const registryUrl = config.schemaRegistryUrl;
  const codec = registryUrl
    ? await wait(`the schema registry at ${registryUrl}`, () =>
        createRegistryCodec(registryUrl, { topic: log.qualifiedName(EVENTS_TOPIC) }),
      )
    : createEventCodec();
  // The embedded log hands this process's consumers the same records: one decode serves them all.
  // A Kafka consumer's messages are its own, so there a kept decode would never be asked for again.
  const sharedDecodes = config.eventLog.kind === 'embedded';
  // chDB's data directory is held by this process alone: what it writes, it can remember.
  const soleWriter = config.store.kind === 'chdb';
  return {
    log,
    store,
    codec: sharedDecodes ? decodeOnce(codec) : codec,
    parties: createPartyDirectory(store, { soleWriter }),
    publicProfiles: createPublicProfiles(store, { soleWriter }),
    ...(soleWriter && { setAsideMemory: createSetAsideMemory(store) }),
    async close() {
      await log.close();
      await store.close();
    },
  };
}
