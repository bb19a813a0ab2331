/**
 * Deadlines of the food recall rules (食品召回管理办法, 2015): a level 1/2/3 recall starts within
 * 24/48/72 hours and completes within 10/20/30 working days. Working days skip Saturdays and
 * Sundays; public holidays are not modelled (they vary by year and are published late).
 */
import type { RecallLevel } from '../common/recall-policy.js';

const START_WITHIN_HOURS: Record<RecallLevel, number> = { 1: 24, 2: 48, 3: 72 };
const COMPLETE_WITHIN_WORKING_DAYS: Record<RecallLevel, number> = { 1: 10, 2: 20, 3: 30 };
const HOUR_MS = 3_600_000;

export interface RecallDeadlines {
  /** Every holder must have acted (stopped selling, quarantined) by then: the notice deadline. */
  readonly startBy: string;
  readonly completeBy: string;
}

export function addWorkingDays(from: Date, days: number): Date {
  const date = new Date(from);
  let left = days;
  while (left > 0) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return date;
}

export function recallDeadlines(level: RecallLevel, startedAt: string): RecallDeadlines {
  const start = new Date(startedAt);
  return {
    startBy: new Date(start.getTime() + START_WITHIN_HOURS[level] * HOUR_MS).toISOString(),
    completeBy: addWorkingDays(start, COMPLETE_WITHIN_WORKING_DAYS[level]).toISOString(),
  };
}
