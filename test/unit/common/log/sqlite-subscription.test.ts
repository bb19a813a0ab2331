import { describe, expect, it } from 'vitest';
import { lingerAfter } from '../../../../services/common/log/sqlite-subscription.js';

describe('lingerAfter: how long records gather after a batch', () => {
  it('lingers the share of lingerMs that the batch was of maxBatchSize, none after a full one', () => {
    const options = { maxBatchSize: 10, lingerMs: 300 };
    expect([1, 5, 9, 10, 11].map((records) => lingerAfter(records, options))).toEqual([
      30, 150, 270, 0, 0,
    ]);
  });

  it('counts a batch of lingerFullAt records or more, short of full, as lingering all of lingerMs', () => {
    // The projector's case: batches up to 5 000 under a backlog, the whole linger from 1 000 on.
    const options = { maxBatchSize: 5_000, lingerMs: 300, lingerFullAt: 1_000 };
    expect([1, 500, 1_000, 4_999, 5_000].map((records) => lingerAfter(records, options))).toEqual([
      0, 150, 300, 300, 0,
    ]);
  });

  it('never counts past maxBatchSize, and lingers nothing without lingerMs', () => {
    expect(lingerAfter(5, { maxBatchSize: 10, lingerMs: 300, lingerFullAt: 1_000 })).toBe(150);
    expect(lingerAfter(5, { maxBatchSize: 10, lingerFullAt: 5 })).toBe(0);
  });
});
