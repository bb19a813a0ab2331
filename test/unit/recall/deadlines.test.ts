import { describe, expect, it } from 'vitest';
import { addWorkingDays, recallDeadlines } from '../../../services/recall/deadlines.js';

describe('deadlines (食品召回管理办法)', () => {
  it('starts a level 1/2/3 recall within 24/48/72 hours', () => {
    const started = '2026-11-20T08:00:00.000Z';
    expect(recallDeadlines(1, started).startBy).toBe('2026-11-21T08:00:00.000Z');
    expect(recallDeadlines(2, started).startBy).toBe('2026-11-22T08:00:00.000Z');
    expect(recallDeadlines(3, started).startBy).toBe('2026-11-23T08:00:00.000Z');
  });

  it('completes within 10/20/30 working days, skipping weekends', () => {
    // Friday 2026-11-20 + 10 working days = Friday 2026-12-04
    expect(recallDeadlines(1, '2026-11-20T08:00:00.000Z').completeBy).toBe(
      '2026-12-04T08:00:00.000Z',
    );
    expect(addWorkingDays(new Date('2026-11-21T00:00:00Z'), 1).toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    );
    expect(recallDeadlines(3, '2026-11-20T08:00:00.000Z').completeBy).toBe(
      '2027-01-01T08:00:00.000Z',
    );
  });
});
