-- The health of each party's webhook endpoint, written by the notifier after its delivery attempts.
-- `consecutive_failures` counts failed attempts since the last 2xx. `failing` is set when a notice
-- to the endpoint is given up (its attempts are exhausted, or the target is refused) and cleared
-- by the next 2xx; it is a status for operators and recall progress, and does not stop the
-- delivery of later notices. A new URL for the party starts from a clean row.

CREATE TABLE IF NOT EXISTS webhook_endpoints (
  party_id String,
  url String,
  consecutive_failures UInt32,
  failing Bool,
  last_error Nullable(String),
  updated_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(updated_at) ORDER BY party_id;
