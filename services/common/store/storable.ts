/**
 * What the store holds exactly, for the validator to refuse the rest before the log takes it.
 *
 * Times: ClickHouse documents DateTime64 for 1900-01-01 to 2299-12-31 and, up to version 26.6,
 * clamps anything outside to those edges without a word. Newer engines (chDB 3.4 is ClickHouse
 * 26.7) hold years 0001–9999, but still read year 0000 as the current year and refuse negative
 * years, which stopped the projector (issue 13). The documented range is what every supported
 * store holds exactly, so it is the rule; the property test in
 * test/integration/projector/store-round-trip.properties.test.ts checks it against the real store.
 */
export const STORABLE_TIMES = {
  min: Date.UTC(1900, 0, 1),
  max: Date.UTC(2299, 11, 31, 23, 59, 59, 999),
} as const;

/** True when the instant (milliseconds since the epoch) lies in the store's range of times. */
export function isStorableTime(millis: number): boolean {
  return millis >= STORABLE_TIMES.min && millis <= STORABLE_TIMES.max;
}

/** The range as a refusal says it. */
export const STORABLE_TIMES_TEXT = `between ${new Date(STORABLE_TIMES.min).toISOString()} and ${new Date(
  STORABLE_TIMES.max,
).toISOString()}`;

/**
 * A bound of a time range, as an instant the store reads exactly: one before the store's range
 * is its first instant, one after it the instant just past its last. Nothing stored lies outside
 * the range, so every comparison answers as it would with the bound itself; the bound as given
 * (year 0000 or 9999, say) could be misread by the store.
 */
export function storableBound(millis: number): number {
  return Math.min(Math.max(millis, STORABLE_TIMES.min), STORABLE_TIMES.max + 1);
}
