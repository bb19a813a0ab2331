/**
 * What every benchmark scenario returns: figures, each with its target when the issue sets one,
 * so the runner can print and store one table.
 */
export interface Figure {
  /** e.g. "batch ingest, 1000-event POSTs, embedded". */
  readonly name: string;
  readonly value: number;
  /** e.g. "events/s", "ms", "ratio". */
  readonly unit: string;
  /** The target as text, e.g. "≥ 50 000 events/s"; absent when none is set. */
  readonly target?: string;
  /** Whether the target was met; absent when there is no target. */
  readonly met?: boolean;
  /** Anything a reader needs to read the figure (node counts, p50 beside p99, sample sizes). */
  readonly detail?: Readonly<Record<string, number | string>>;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly figures: readonly Figure[];
  /** What bounds the figures, from profiles, in a sentence or two each. */
  readonly notes?: readonly string[];
}

export interface ScenarioContext {
  /** `small` (10k batches) for quick runs and tests; `large` (1M batches) for the recorded run. */
  readonly scale: 'small' | 'large';
  readonly seed: number;
  /** Kafka brokers when a broker is available (Kafka figures are skipped, and say so, without). */
  readonly kafkaBrokers: readonly string[] | undefined;
  /** Progress lines for long work (stderr). */
  readonly progress: (line: string) => void;
}

export type Scenario = (context: ScenarioContext) => Promise<ScenarioResult>;
