-- Log records a consumer set aside instead of processing (issue 13): what the projector could not
-- decode or the store refused, and what an operator quarantined. The records themselves go to the
-- dead-letter topic with the same reason; these rows let the recall service skip what the
-- projector set aside, and an operator see why an offset was skipped (GET /v1/admin/log/…).
-- One row per record and consumer group; a record set aside again (a redelivered batch) folds in.

CREATE TABLE IF NOT EXISTS dead_letters (
  topic String,
  partition UInt32,
  offset UInt64,
  consumer String,
  event_id Nullable(String),
  cause LowCardinality(String),
  reason String,
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(at) ORDER BY (topic, partition, offset, consumer);

-- Offsets an operator quarantined: every consumer skips them and dead-letters them. Kept for good
-- (the audit trail records who asked); a later quarantine of the same offset replaces the reason.

CREATE TABLE IF NOT EXISTS quarantined_offsets (
  topic String,
  partition UInt32,
  offset UInt64,
  reason String,
  actor String,
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(at) ORDER BY (topic, partition, offset);
