import { describe, expect, it } from 'vitest';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { DEFAULT_RECALL_POLICY } from '../../../services/common/recall-policy.js';
import { triggeredRecall } from '../../../services/recall/recall-triggers.js';
import { sampleEvents } from '../../support/sample-events.js';

describe('recall triggers under the default policy', () => {
  const [, , , inspection, defect] = sampleEvents();

  it('opens a level 1 recall of the batches of a CRITICAL defect, dated when it was reported', () => {
    const recall = triggeredRecall(DEFAULT_RECALL_POLICY, defect!, 'suyuan');
    expect(recall).toMatchObject({
      recallId: 'RC-D-1',
      rootBatchIds: ['B-1'],
      level: 1,
      eventTime: defect!.recordedAt,
      party: 'suyuan',
    });
    expect(triggeredRecall(DEFAULT_RECALL_POLICY, defect!, 'suyuan')).toEqual(recall);
  });

  it('records a MINOR defect as a risk signal only', () => {
    expect(
      triggeredRecall(
        DEFAULT_RECALL_POLICY,
        { ...defect!, severity: 'MINOR' } as SuyuanEvent,
        'suyuan',
      ),
    ).toBeUndefined();
  });

  it('orders a recall on a failed supervisory sampling, and ignores other inspections', () => {
    expect(triggeredRecall(DEFAULT_RECALL_POLICY, inspection!, 'suyuan')).toMatchObject({
      mode: 'ORDERED',
      level: 2,
      rootBatchIds: ['B-1'],
    });
    expect(
      triggeredRecall(
        DEFAULT_RECALL_POLICY,
        { ...inspection!, kind: 'SELF_CHECK' } as SuyuanEvent,
        'suyuan',
      ),
    ).toBeUndefined();
    expect(
      triggeredRecall(
        DEFAULT_RECALL_POLICY,
        { ...inspection!, result: 'PASS' } as SuyuanEvent,
        'suyuan',
      ),
    ).toBeUndefined();
  });
});
