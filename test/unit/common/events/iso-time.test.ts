import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoFromMillis } from '../../../../services/common/events/iso-time.js';

const YEAR_0 = Date.UTC(0, 0, 1);
const YEAR_10000 = Date.UTC(10_000, 0, 1);
/** The largest time a Date holds (ECMA-262: ±8.64e15 ms). */
const DATE_LIMIT = 8.64e15;

describe('isoFromMillis', () => {
  it('writes every time a Date holds as toISOString does', () => {
    fc.assert(
      fc.property(fc.integer({ min: -DATE_LIMIT, max: DATE_LIMIT }), (ms) => {
        expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('writes the times of years 0000–9999, where it keeps day prefixes, as toISOString does', () => {
    // Times of the same few days, as a decoded batch has, so that kept prefixes are reused.
    const day = fc.integer({ min: YEAR_0 / 86_400_000, max: YEAR_10000 / 86_400_000 - 1 });
    fc.assert(
      fc.property(
        fc.array(day, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(2), fc.integer({ min: 0, max: 86_399_999 })), { maxLength: 50 }),
        (days, times) => {
          for (const [which, ofDay] of times) {
            const ms = (days[which % days.length] as number) * 86_400_000 + ofDay;
            expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('writes the edges of its fast range and of each day as toISOString does', () => {
    for (const ms of [
      YEAR_0 - 1,
      YEAR_0,
      YEAR_10000 - 1,
      YEAR_10000,
      -1,
      0,
      86_399_999,
      86_400_000,
    ]) {
      expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('throws for what toISOString throws for, and passes fractions to it', () => {
    expect(() => isoFromMillis(Number.NaN)).toThrow(RangeError);
    expect(() => isoFromMillis(DATE_LIMIT + 1)).toThrow(RangeError);
    expect(isoFromMillis(1.5)).toBe(new Date(1.5).toISOString());
  });
});
