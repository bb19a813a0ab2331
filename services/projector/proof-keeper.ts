/**
 * The proof keeper (docs/proofs.md): a consumer of the log, in its own group, that appends every
 * record of each partition to that partition's Merkle tree in the store, and signs checkpoints
 * of all the trees — every `checkpointIntervalMs` while something new waits, and as soon as
 * `checkpointEveryEvents` wait. It runs beside the projector and shares nothing with it but the
 * log and the store: the projection can be replayed, the trees stay as they are.
 */
import type { Config } from '../common/config.js';
import { createConsumerHealth, type ConsumerHealth } from '../common/log/consumer-health.js';
import type { EventLog, SubscribeOptions } from '../common/log/event-log.js';
import type { EventCodec } from '../common/events/codec.js';
import type { Logger } from '../common/logger.js';
import { CHECKPOINT_ORIGIN, signCheckpoint } from '../common/proofs/checkpoint.js';
import {
  latestCheckpoint,
  registerSigningKey,
  writeCheckpoint,
} from '../common/proofs/checkpoint-store.js';
import { readHeads } from '../common/proofs/proof-store.js';
import { appendToTree, type TreeMemory } from '../common/proofs/tree-append.js';
import {
  startInBackground,
  type BackgroundConsumer,
} from '../common/runtime/background-consumer.js';
import type { Foundations } from '../common/runtime/foundations.js';
import type { Worker } from '../common/runtime/service-http.js';
import type { Store } from '../common/store/store.js';
import { EVENTS_TOPIC, PROOF_GROUP } from '../common/topics.js';
import { LINGER_FULL_AT } from './projector.js';
import { loadSigningKey, type SigningKey } from './signing-key.js';

export interface ProofKeeperDeps {
  readonly log: EventLog;
  readonly store: Store;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly signingKey: SigningKey;
  readonly checkpointIntervalMs: number;
  readonly checkpointEveryEvents: number;
  readonly batchSize: number;
  /**
   * After a batch that was not full, how long at most to let events gather before the next (ms;
   * 0 or absent: at once), in proportion to how full it was, counted as the projector counts its
   * batches (`LINGER_FULL_AT`). Each batch costs a read of the tree's head and frontier and a
   * write: under a trickle of single events that was a share of the thread ingest shares.
   */
  readonly lingerMs?: number;
  /**
   * No other process writes this store's trees (chDB: one process holds its data), so the keeper
   * keeps each tree's head and frontier between batches instead of reading them back
   * (`TreeMemory`). Not so with a shared ClickHouse server: the group may move a partition to
   * another instance and back.
   */
  readonly soleWriter?: boolean;
  readonly health?: ConsumerHealth;
  readonly onStateChange?: SubscribeOptions['onStateChange'];
}

export interface ProofKeeper extends Worker {
  /** Signs a checkpoint now if the trees grew since the last one (tests, and the timer). */
  checkpoint(): Promise<void>;
}

export function proofKeeperHealth(
  deps: Pick<ProofKeeperDeps, 'log'> & { readonly stallAfterMs?: number },
): ConsumerHealth {
  return createConsumerHealth({
    log: deps.log,
    topic: EVENTS_TOPIC,
    group: PROOF_GROUP,
    stallAfterMs: deps.stallAfterMs,
  });
}

export async function startProofKeeper(deps: ProofKeeperDeps): Promise<ProofKeeper> {
  const logger = deps.logger.child({ component: 'proof-keeper' });
  await deps.log.ensureTopic(EVENTS_TOPIC);
  await registerSigningKey(deps.store, deps.signingKey);
  const signer = checkpointSigner(deps, logger);
  await signer.init();
  let waiting = 0;
  const memory: TreeMemory | undefined = deps.soleWriter ? new Map() : undefined;
  const health = deps.health ?? proofKeeperHealth(deps);
  const subscription = await deps.log.subscribe({
    topic: EVENTS_TOPIC,
    groupId: PROOF_GROUP,
    maxBatchSize: deps.batchSize,
    ...(deps.lingerMs !== undefined && { lingerMs: deps.lingerMs, lingerFullAt: LINGER_FULL_AT }),
    onStateChange: deps.onStateChange,
    handleBatch: health.watch(async (records) => {
      const first = records[0];
      if (!first) return;
      await appendToTree({ ...deps, memory }, first.partition, records);
      waiting += records.length;
      if (waiting >= deps.checkpointEveryEvents) {
        waiting = 0;
        await signer.signIfGrown();
      }
    }),
  });
  const timer = setInterval(() => {
    waiting = 0;
    signer.signIfGrown().catch((err: unknown) => logger.warn({ err }, 'checkpoint failed'));
  }, deps.checkpointIntervalMs);
  timer.unref();
  logger.info({ keyId: deps.signingKey.keyId }, 'proof keeper started');
  return {
    checkpoint: () => signer.signIfGrown(),
    async stop() {
      clearInterval(timer);
      await subscription.stop();
      await signer.idle();
    },
  };
}

/** Signs one checkpoint at a time, and only when some tree grew since the last one. */
function checkpointSigner(deps: ProofKeeperDeps, logger: Logger) {
  let signed = new Map<number, number>();
  let chain: Promise<void> = Promise.resolve();
  const signNow = async () => {
    const heads = await readHeads(deps.store);
    const trees = heads.map((head) => ({
      partition: head.partition,
      size: head.size,
      rootHash: head.root,
    }));
    const grown = trees.some((tree) => tree.size > (signed.get(tree.partition) ?? 0));
    // A tree smaller than one already signed is being rebuilt from the log: signing it would
    // look like a rewrite of history (no consistency proof leads back). Wait until it is whole.
    const rebuilding = trees.some((tree) => tree.size < (signed.get(tree.partition) ?? 0));
    if (!grown || rebuilding) return;
    const checkpoint = signCheckpoint(
      {
        origin: CHECKPOINT_ORIGIN,
        log: deps.log.qualifiedName(EVENTS_TOPIC),
        issuedAt: new Date().toISOString(),
        keyId: deps.signingKey.keyId,
        trees,
      },
      deps.signingKey.privateKey,
    );
    await writeCheckpoint(deps.store, checkpoint);
    signed = new Map(trees.map((tree) => [tree.partition, tree.size]));
    logger.debug({ trees }, 'signed a checkpoint');
  };
  return {
    async init() {
      const latest = await latestCheckpoint(deps.store);
      if (latest) signed = new Map(latest.body.trees.map((tree) => [tree.partition, tree.size]));
    },
    signIfGrown(): Promise<void> {
      const next = chain.then(signNow);
      chain = next.catch(() => undefined);
      return next;
    },
    idle: () => chain,
  };
}

/**
 * The proof keeper as a background consumer of a service process. The signing key is read (or
 * made) first: a key that cannot be read stops start-up, naming SUYUAN_SIGNING_KEY_FILE.
 */
export async function runProofKeeper(
  config: Config,
  logger: Logger,
  foundations: Pick<Foundations, 'log' | 'store' | 'codec'>,
): Promise<BackgroundConsumer & { readonly keeper: Promise<ProofKeeper | undefined> }> {
  const signingKey = await loadSigningKey(config.proofs.signingKeyFile, logger);
  const health = proofKeeperHealth({ ...foundations, stallAfterMs: config.consumerStallAfterMs });
  let keeper: ProofKeeper | undefined;
  const consumer = startInBackground(health, logger, async (onStateChange) => {
    keeper = await startProofKeeper({
      ...foundations,
      logger,
      signingKey,
      checkpointIntervalMs: config.proofs.checkpointIntervalMs,
      checkpointEveryEvents: config.proofs.checkpointEveryEvents,
      batchSize: config.projectorBatchSize,
      lingerMs: config.projectorLingerMs,
      soleWriter: config.store.kind === 'chdb',
      health,
      onStateChange,
    });
    return keeper;
  });
  return { ...consumer, keeper: consumer.started.then(() => keeper) };
}
