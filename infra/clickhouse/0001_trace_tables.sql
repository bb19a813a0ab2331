-- The trace projection. Every table is a ReplacingMergeTree whose sorting key ends in the event id,
-- so a replayed event collapses into the row it already wrote; readers use FINAL.
-- Edge tables are sorted by the column the trace walks from, so each level is a key lookup.

CREATE TABLE IF NOT EXISTS events (
  event_id String,
  event_type LowCardinality(String),
  event_time DateTime64(3, 'UTC'),
  recorded_at DateTime64(3, 'UTC'),
  party String,
  operator Nullable(String),
  location_gln Nullable(String),
  location_site_id Nullable(String),
  location_name Nullable(String),
  payload String
) ENGINE = ReplacingMergeTree ORDER BY event_id;

CREATE TABLE IF NOT EXISTS batch_events (
  batch_id String,
  event_time DateTime64(3, 'UTC'),
  event_id String,
  event_type LowCardinality(String),
  party String
) ENGINE = ReplacingMergeTree ORDER BY (batch_id, event_time, event_id);

CREATE TABLE IF NOT EXISTS batches (
  batch_id String,
  event_id String,
  product_id String,
  product_name String,
  producer String,
  operator Nullable(String),
  quantity Float64,
  unit String,
  produced_at DateTime64(3, 'UTC'),
  recorded_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (batch_id, event_id);

CREATE TABLE IF NOT EXISTS derivations_by_input (
  input_batch_id String,
  output_batch_id String,
  event_id String,
  party String,
  operator Nullable(String),
  quantity Float64,
  unit Nullable(String),
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (input_batch_id, output_batch_id, event_id);

CREATE TABLE IF NOT EXISTS derivations_by_output AS derivations_by_input
ENGINE = ReplacingMergeTree ORDER BY (output_batch_id, input_batch_id, event_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS derivations_by_output_mv TO derivations_by_output
AS SELECT * FROM derivations_by_input;

CREATE TABLE IF NOT EXISTS shipments (
  batch_id String,
  shipment_id String,
  event_id String,
  from_party String,
  to_party String,
  operator Nullable(String),
  quantity Float64,
  unit String,
  shipped_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (batch_id, shipment_id, event_id);

CREATE TABLE IF NOT EXISTS receipts (
  batch_id String,
  shipment_id String,
  event_id String,
  receiver String,
  from_party String,
  operator Nullable(String),
  quantity Float64,
  unit String,
  received_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (batch_id, shipment_id, event_id);

CREATE TABLE IF NOT EXISTS inspections (
  batch_id String,
  inspection_id String,
  event_id String,
  inspector String,
  operator Nullable(String),
  kind LowCardinality(String),
  result LowCardinality(String),
  standard Nullable(String),
  report Nullable(String),
  findings String,
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (batch_id, inspection_id, event_id);

CREATE TABLE IF NOT EXISTS defects (
  batch_id String,
  defect_id String,
  event_id String,
  reporter String,
  source LowCardinality(String),
  severity LowCardinality(String),
  hazard String,
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (batch_id, defect_id, event_id);

-- Batches named by a recall: its root batches and the batches its notices list.
CREATE TABLE IF NOT EXISTS recall_batches (
  batch_id String,
  recall_id String,
  event_id String,
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (batch_id, recall_id, event_id);

CREATE TABLE IF NOT EXISTS retractions (
  target_event_id String,
  event_id String,
  party String,
  reason String,
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (target_event_id, event_id);
