-- 一级 risk warnings pushed to regulators' webhooks. The recall service's warning watch writes
-- one row per warning and regulator, its notice id derived from both: a watch that sees the same
-- warning again — next round, after a restart, on a second instance, after a replay — writes the
-- same row, which collapses into the first, and the notifier, whose deliveries are keyed by the
-- notice id, sends nothing new. Deliveries go to notice_deliveries beside the recall notices'
-- (both ids are UUIDs derived from different names, so they never meet).

CREATE TABLE IF NOT EXISTS warning_notices (
  notice_id String,
  warning_id String,
  recipient String,
  level UInt8,
  warning String,
  raised_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY (warning_id, recipient);
