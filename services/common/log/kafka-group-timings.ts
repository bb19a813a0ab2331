/**
 * How long a consumer group waits for a member that stopped heartbeating (the session timeout),
 * and the timings that follow from it. A member that dies without leaving — SIGKILL, a crash, a
 * broker restart its connection did not survive — keeps its partitions, and holds up the join of
 * the member that replaces it, until its session expires. kafkajs has no static membership (which
 * would let a restarted member take its place back), so the way to resume sooner is a short
 * session: as short as the broker allows, but not below PREFERRED_SESSION_TIMEOUT_MS, so that a
 * few slow turns of a busy event loop do not cost a live member its partitions.
 *
 * The broker bounds the session (`group.min.session.timeout.ms`, 6 s on a stock broker; 1 s on
 * ours, see infra/kafka/kafka.sh; and `group.max.session.timeout.ms`) and refuses a join outside
 * them, so the bounds are read from the broker before a consumer is made.
 */
// The default import: Node cannot see ConfigResourceTypes among kafkajs's named CommonJS exports.
import kafkajs, { type Admin } from 'kafkajs';
import type { GroupTimings } from './kafka-subscription.js';

export const PREFERRED_SESSION_TIMEOUT_MS = 3_000;
/** A stock broker's bounds, assumed when the broker's own cannot be read (e.g. no permission). */
export const STOCK_SESSION_BOUNDS: SessionBounds = { minMs: 6_000, maxMs: 1_800_000 };
/**
 * How long a live member may take to finish the batch in hand and rejoin a rebalance. A member
 * that died is dropped when its session expires, whatever this says.
 */
const REBALANCE_TIMEOUT_MS = 20_000;

const MIN_SESSION = 'group.min.session.timeout.ms';
const MAX_SESSION = 'group.max.session.timeout.ms';

export interface SessionBounds {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The session timeout nearest `preferredMs` that the broker accepts. */
export function sessionTimeoutWithin(preferredMs: number, bounds: SessionBounds): number {
  return Math.min(Math.max(preferredMs, bounds.minMs), bounds.maxMs);
}

export function groupTimings(sessionTimeoutMs: number): GroupTimings {
  return {
    sessionTimeoutMs,
    rebalanceTimeoutMs: Math.max(REBALANCE_TIMEOUT_MS, 2 * sessionTimeoutMs),
    // Ten heartbeats a session: a member learns of a rebalance within a tenth of it.
    heartbeatIntervalMs: Math.max(100, Math.floor(sessionTimeoutMs / 10)),
    maxWaitTimeMs: 250,
  };
}

/** The session timeout bounds a broker of the cluster is configured with. */
export async function brokerSessionBounds(admin: Admin): Promise<SessionBounds> {
  const { brokers } = await admin.describeCluster();
  const broker = brokers[0];
  if (!broker) throw new Error('the cluster named no broker');
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      {
        type: kafkajs.ConfigResourceTypes.BROKER,
        name: String(broker.nodeId),
        configNames: [MIN_SESSION, MAX_SESSION],
      },
    ],
  });
  const entries = resources[0]?.configEntries ?? [];
  const valueOf = (name: string) => {
    const value = Number(entries.find((entry) => entry.configName === name)?.configValue);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`the broker did not report ${name}`);
    return value;
  };
  return { minMs: valueOf(MIN_SESSION), maxMs: valueOf(MAX_SESSION) };
}
