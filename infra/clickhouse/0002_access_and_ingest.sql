-- Parties, their hashed API keys, and the ingest idempotency index.

CREATE TABLE IF NOT EXISTS parties (
  party_id String,
  name String,
  roles Array(LowCardinality(String)),
  webhook_url Nullable(String),
  webhook_secret Nullable(String),
  created_at DateTime64(3, 'UTC'),
  updated_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(updated_at) ORDER BY party_id;

-- Only the SHA-256 of a key is stored; keys carry 256 random bits, so a fast hash is enough.
CREATE TABLE IF NOT EXISTS api_keys (
  key_hash String,
  key_id String,
  party_id String,
  created_at DateTime64(3, 'UTC'),
  revoked_at Nullable(DateTime64(3, 'UTC')),
  updated_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(updated_at) ORDER BY key_hash;

-- eventId -> fingerprint of the accepted body. Written by ingest after the log append, and again
-- by the projector, so a crash between append and index write still converges.
CREATE TABLE IF NOT EXISTS event_index (
  event_id String,
  body_hash String,
  party String,
  recorded_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY event_id;
