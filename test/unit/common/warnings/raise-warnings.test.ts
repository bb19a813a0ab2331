/**
 * Signals into warnings, with hand-computed answers: rates need their minimum sample, thresholds
 * decide, ids are stable, and the common upstream cause is the lowest batch the failures share.
 */
import { describe, expect, it } from 'vitest';
import { stableUuid } from '../../../../services/common/stable-id.js';
import type { WarningRule } from '../../../../services/common/warning-rules.js';
import {
  commonCauses,
  raiseWarnings,
} from '../../../../services/common/warnings/raise-warnings.js';
import type {
  FailedBatch,
  SignalRow,
} from '../../../../services/common/warnings/signal-queries.js';

const since = new Date('2026-11-01T00:00:00Z');
const rateRule: WarningRule = {
  id: 'product-failure-rate',
  signal: 'failure-rate-by-product',
  window: '30d',
  minSamples: 5,
  threshold: 0.2,
  level: 2,
};

const row = (subject: string, samples: number, failures: number): SignalRow => ({
  subject,
  samples,
  failures,
  productId: subject,
  partyId: null,
  inspectionEventIds: Array.from({ length: failures }, (_, i) => `e-${subject}-${i}`),
  defectEventIds: [],
  batchIds: [`B-${subject}`],
  latestAt: '2026-11-20T00:00:00.000Z',
});

describe('raiseWarnings', () => {
  it('does not warn of a single failure in a large sample', () => {
    // 1 failure in 20 tests: 0.05, below 0.2.
    expect(raiseWarnings(rateRule, [row('MILK', 20, 1)], since)).toEqual([]);
  });

  it('warns of a rate at its threshold over enough samples, and not under minSamples', () => {
    // 1 in 5 is exactly 0.2; 2 in 4 is 0.5 but only 4 samples.
    const raised = raiseWarnings(rateRule, [row('MILK', 5, 1), row('CHEESE', 4, 2)], since);
    expect(raised.map((warning) => [warning.subject.id, warning.value, warning.level])).toEqual([
      ['MILK', 0.2, 2],
    ]);
    expect(raised[0]).toMatchObject({
      warningId: stableUuid('warning/product-failure-rate/MILK'),
      subject: { kind: 'product', id: 'MILK' },
      since: '2026-11-01T00:00:00.000Z',
      evidence: { inspectionEventIds: ['e-MILK-0'], batchIds: ['B-MILK'] },
      suspectedBatchId: 'B-MILK',
      trace: '/v1/batches/B-MILK/trace?direction=both',
    });
  });

  it('lets the thresholds change the outcome', () => {
    const rows = [row('MILK', 20, 1)];
    expect(raiseWarnings({ ...rateRule, threshold: 0.05 }, rows, since)).toHaveLength(1);
    expect(raiseWarnings({ ...rateRule, minSamples: 21, threshold: 0.05 }, rows, since)).toEqual(
      [],
    );
    const counting: WarningRule = { ...rateRule, signal: 'failures-by-producer', threshold: 3 };
    expect(raiseWarnings(counting, [row('plant', 9, 2)], since)).toEqual([]);
    expect(raiseWarnings({ ...counting, threshold: 2 }, [row('plant', 9, 2)], since)).toHaveLength(
      1,
    );
  });
});

const failedBatch = (batchId: string): FailedBatch => ({
  batchId,
  inspectionEventIds: [`i-${batchId}`],
  defectEventIds: [],
  latestAt: '2026-11-20T00:00:00.000Z',
});

describe('commonCauses', () => {
  it('points at the milk that went into three failed products', () => {
    // RAW → A, B, C (all failed); SUGAR-A → A only.
    const edges = ['A', 'B', 'C'].map((output) => ({ input: 'RAW', output }));
    const causes = commonCauses(['A', 'B', 'C'].map(failedBatch), [
      ...edges,
      { input: 'SUGAR-A', output: 'A' },
    ]);
    const shared = causes.filter((cause) => cause.failed.length > 1);
    expect(shared.map((cause) => [cause.batchId, cause.failed.map((b) => b.batchId)])).toEqual([
      ['RAW', ['A', 'B', 'C']],
    ]);
  });

  it('keeps the lowest of a line sharing the same failures: the powder, not each farm', () => {
    // FARM-1, FARM-2 → POWDER → A, B, C (all failed).
    const edges = [
      { input: 'FARM-1', output: 'POWDER' },
      { input: 'FARM-2', output: 'POWDER' },
      ...['A', 'B', 'C'].map((output) => ({ input: 'POWDER', output })),
    ];
    const shared = commonCauses(['A', 'B', 'C'].map(failedBatch), edges).filter(
      (cause) => cause.failed.length > 1,
    );
    expect(shared.map((cause) => cause.batchId)).toEqual(['POWDER']);
  });
});
