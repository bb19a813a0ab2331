/**
 * The FSMA 204 export's dates: a date or an RFC 3339 time, each as the pattern the document
 * states; `to` later than `from` as given; and a bound beyond the times the store holds read as
 * the store's edge (the store misreads year 0000 as the current year).
 */
import { describe, expect, it } from 'vitest';
import { fsmaQuerySchema } from '../../../../services/trace-api/operations.js';

const parsed = (query: Record<string, string>) => fsmaQuerySchema.safeParse(query);

describe('the FSMA 204 export’s dates', () => {
  it('reads a bound before or after the store’s times as the store’s edge', () => {
    expect(parsed({ productId: 'P', from: '0000-01-01', to: '9999-12-31' })).toMatchObject({
      success: true,
      data: { from: '1900-01-01T00:00:00.000Z', to: '2300-01-01T00:00:00.000Z' },
    });
  });

  it('compares the bounds as given, before either is read as an edge', () => {
    expect(parsed({ productId: 'P', from: '2400-01-01', to: '2500-01-01' }).success).toBe(true);
    const reversed = parsed({ productId: 'P', from: '0001-01-02', to: '0001-01-01' });
    expect(reversed.error?.issues).toMatchObject([
      { path: ['to'], message: 'must be later than from' },
    ]);
  });

  it('refuses a field out of its range, naming the parameter', () => {
    for (const from of ['2026-13-01', '2026-11-20T24:00:00Z', '2026-11-20T08:00:00+24:00', '']) {
      expect(parsed({ productId: 'P', from }).error?.issues[0]?.path, from).toEqual(['from']);
    }
    expect(parsed({ productId: 'P', from: '2026-11-20 08:00:00.5+08:00' }).data?.from).toBe(
      '2026-11-20T00:00:00.500Z',
    );
  });
});
