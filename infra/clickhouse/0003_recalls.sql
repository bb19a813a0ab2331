-- Recalls, their notices and the recipients' answers, projected from the recall events; and the
-- delivery attempts of notices, written by the notifier.

CREATE TABLE IF NOT EXISTS recalls (
  recall_id String,
  event_id String,
  initiated_by String,
  level UInt8,
  mode LowCardinality(String),
  reason String,
  root_batch_ids Array(String),
  started_at DateTime64(3, 'UTC'),
  recorded_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (recall_id, event_id);

CREATE TABLE IF NOT EXISTS recall_closures (
  recall_id String,
  event_id String,
  closed_by String,
  reason String,
  closed_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (recall_id, event_id);

-- One notice per recall and recipient; the notice id is derived from both, so a notice issued
-- twice (replay, a race) is the same row.
CREATE TABLE IF NOT EXISTS recall_notices (
  notice_id String,
  recall_id String,
  recipient String,
  event_id String,
  batches String,
  actions Array(String),
  deadline DateTime64(3, 'UTC'),
  issued_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (recall_id, recipient, notice_id);

CREATE TABLE IF NOT EXISTS notice_answers (
  notice_id String,
  event_id String,
  kind LowCardinality(String),
  party String,
  recovered Float64,
  destroyed Float64,
  unit Nullable(String),
  note Nullable(String),
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (notice_id, event_id);

CREATE TABLE IF NOT EXISTS notice_deliveries (
  notice_id String,
  attempt UInt32,
  url String,
  status LowCardinality(String),
  http_status Nullable(UInt16),
  error Nullable(String),
  attempted_at DateTime64(3, 'UTC'),
  next_attempt_at Nullable(DateTime64(3, 'UTC'))
) ENGINE = ReplacingMergeTree ORDER BY (notice_id, attempt);
