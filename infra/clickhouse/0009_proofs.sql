-- Tamper evidence (issue 17, docs/proofs.md): one Merkle tree per partition of the events topic,
-- kept by the proof keeper (services/projector/proof-keeper.ts). Leaf i of a partition is the
-- i-th record of that partition, in offset order; its hash commits to the record's bytes.

-- Every complete aligned subtree: level L, index i covers leaves [i·2^L, (i+1)·2^L). Level 0 is
-- the leaves. Rebuilt from the log, the same rows come out; a proof reads O(log n) of them.
CREATE TABLE IF NOT EXISTS proof_nodes (
  partition UInt32,
  level UInt8,
  node_index UInt64,
  hash String
) ENGINE = ReplacingMergeTree ORDER BY (partition, level, node_index);

-- Where each event's record sits in its partition's tree.
CREATE TABLE IF NOT EXISTS proof_leaves (
  event_id String,
  partition UInt32,
  leaf_index UInt64,
  log_offset UInt64
) ENGINE = ReplacingMergeTree ORDER BY (event_id, partition, leaf_index);

-- Each partition's tree as far as it is kept: its size, the next log offset it takes, its root.
CREATE TABLE IF NOT EXISTS proof_heads (
  partition UInt32,
  size UInt64,
  next_offset UInt64,
  root String,
  at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(size) ORDER BY partition;

-- Signed tree heads over every partition (append-only: a checkpoint is never replaced).
CREATE TABLE IF NOT EXISTS checkpoints (
  checkpoint_id String,
  issued_at DateTime64(3, 'UTC'),
  key_id String,
  body String,
  signature String
) ENGINE = ReplacingMergeTree ORDER BY (issued_at, checkpoint_id);

-- Every public key that ever signed a checkpoint: a rotated key stays here, so what it signed
-- still verifies.
CREATE TABLE IF NOT EXISTS signing_keys (
  key_id String,
  algorithm LowCardinality(String),
  public_key String,
  first_used_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY key_id;
