-- What each party lets the public trace-code check show of it (issue 17). No row: nothing; a row
-- with deleted = 1 takes an earlier one back. The newest row of a party counts.
CREATE TABLE IF NOT EXISTS party_public_profiles (
  party_id String,
  show_name Bool,
  region Nullable(String),
  deleted UInt8,
  updated_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(updated_at) ORDER BY party_id;
