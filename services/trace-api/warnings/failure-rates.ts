/**
 * The failure rate of inspections day by day (the warnings view's chart): counted in ClickHouse
 * over the projection of record, by the same rules as the rate signals (retracted inspections and
 * productions that do not count left out), optionally for one product or one producer.
 */
import type { FailureRateDay, FailureRates } from '../../common/api/warnings.js';
import type { Store } from '../../common/store/store.js';
import { INSPECTIONS_IN_WINDOW } from '../../common/warnings/signal-queries.js';

const DAY_MS = 86_400_000;

export interface FailureRateQuery {
  readonly days: number;
  readonly productId?: string | undefined;
  readonly partyId?: string | undefined;
}

/** Midnight UTC of the first day of a window of `days` days ending with the day of `now`. */
export const windowStart = (now: Date, days: number): Date =>
  new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS);

/** Every day from `start`, `days` of them, with the counts of those that had inspections. */
export function everyDay(start: Date, days: number, counted: FailureRateDay[]): FailureRateDay[] {
  const byDay = new Map(counted.map((row) => [row.day, row]));
  return Array.from({ length: days }, (_, index) => {
    const day = new Date(start.getTime() + index * DAY_MS).toISOString().slice(0, 10);
    return byDay.get(day) ?? { day, inspections: 0, failures: 0 };
  });
}

export async function findFailureRates(
  store: Store,
  query: FailureRateQuery,
  now: Date,
): Promise<FailureRates> {
  const start = windowStart(now, query.days);
  const rows = await store.query<FailureRateDay>(
    `SELECT toString(toDate(at, 'UTC')) AS day, count() AS inspections,
       countIf(result = 'FAIL') AS failures
     FROM (${INSPECTIONS_IN_WINDOW})
     WHERE ({productId:Nullable(String)} IS NULL OR product_id = {productId:Nullable(String)})
       AND ({partyId:Nullable(String)} IS NULL OR producer = {partyId:Nullable(String)})
     GROUP BY day ORDER BY day`,
    {
      since: start.toISOString(),
      productId: query.productId ?? null,
      partyId: query.partyId ?? null,
    },
  );
  const counted = rows.map((row) => ({
    day: row.day,
    inspections: Number(row.inspections),
    failures: Number(row.failures),
  }));
  return {
    productId: query.productId ?? null,
    partyId: query.partyId ?? null,
    days: everyDay(start, query.days, counted),
  };
}
