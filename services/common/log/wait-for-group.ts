/**
 * Waiting for a consumer group to catch up with a topic: what was in the log when the wait began
 * has been handled and committed by the group. The EPCIS capture waits so for the projector
 * before it reads what earlier captures stated (containment, transformations, the events an
 * error declaration corrects): an event acknowledged a moment ago is in the log, not yet in the
 * store, and must count.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SuyuanError } from '../errors.js';
import type { EventLog } from './event-log.js';

export async function waitForGroup(
  log: EventLog,
  topic: string,
  groupId: string,
  timeoutMs: number,
): Promise<void> {
  const target = await log.endOffsets(topic);
  const deadline = Date.now() + timeoutMs;
  for (let delayMs = 5; ; delayMs = Math.min(delayMs * 2, 100)) {
    const committed = await log.committedOffsets(topic, groupId);
    const behind = [...target].some(([partition, end]) => (committed.get(partition) ?? 0) < end);
    if (!behind) return;
    if (Date.now() > deadline) {
      throw new SuyuanError(
        'store_unavailable',
        `the projection is more than ${Math.round(timeoutMs / 1000)} s behind the log; try again shortly`,
      );
    }
    await sleep(delayMs);
  }
}
