-- Risk early warnings (风险预警) are computed from the projection on each read; what a regulator
-- decides about one is kept here, one row per change, keyed by the warning's stable id (rule +
-- subject), so a dismissed warning stays dismissed however often its signal is computed again.

CREATE TABLE IF NOT EXISTS warning_states (
  warning_id String,
  change_id String,
  status LowCardinality(String),
  reason Nullable(String),
  recall_id Nullable(String),
  changed_by String,
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (warning_id, at, change_id);
