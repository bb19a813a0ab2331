/** Records and subscriptions the embedded log's tests share. */
import type {
  EventLog,
  StoredRecord,
  SubscribeOptions,
} from '../../../../../services/common/log/event-log.js';

export const record = (text: string) => ({ key: 'lot-1', value: Buffer.from(text) });
export const texts = (records: readonly StoredRecord[]) => records.map((r) => String(r.value));

/** Subscribes the group `projector` to `lots`, keeping the texts of each batch it is handed. */
export async function collectBatches(
  log: EventLog,
  options: Pick<SubscribeOptions, 'maxBatchSize' | 'lingerMs'>,
) {
  const batches: string[][] = [];
  const subscription = await log.subscribe({
    topic: 'lots',
    groupId: 'projector',
    ...options,
    handleBatch: (batch) => Promise.resolve(void batches.push(texts(batch))),
  });
  return { batches, subscription };
}
