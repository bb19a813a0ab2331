-- GS1 EPCIS 2.0: the events as captured, what the query API filters them by, and what capture
-- needs to know again (containment, transformations, party identifiers, capture jobs). Every
-- table but the jobs is written by the projector from EpcisEventCaptured records, so a replay
-- rebuilds it. Every row carries the event id of the record that wrote it (`event_id`), as the
-- trace tables do, so the projector can take out the rows of a record the store refused.

-- One row per EPCIS event: its error declaration, when one is captured, replaces the row
-- (declared 1 beats 0), as the EPCIS query answers the event with its declaration.
CREATE TABLE IF NOT EXISTS epcis_events (
  epcis_event_id String,
  event_id String,
  declared UInt8,
  event_type LowCardinality(String),
  event_time DateTime64(3, 'UTC'),
  record_time DateTime64(3, 'UTC'),
  party String,
  action LowCardinality(String),
  biz_step String,
  disposition String,
  read_point String,
  biz_location String,
  transformation_id String,
  error_declaration_time Nullable(DateTime64(3, 'UTC')),
  error_reason String,
  corrective_event_ids Array(String),
  derived_event_ids Array(String),
  capture_id String,
  event String,
  context String
) ENGINE = ReplacingMergeTree(declared) ORDER BY epcis_event_id;

-- Every identifier an EPCIS event names (canonical), by its EPCIS query role, for MATCH_*.
CREATE TABLE IF NOT EXISTS epcis_event_ids (
  id String,
  role LowCardinality(String),
  epcis_event_id String,
  event_id String
) ENGINE = ReplacingMergeTree ORDER BY (id, role, epcis_event_id, event_id);

-- Containment facts of AggregationEvents: what went into or out of a container, and when.
CREATE TABLE IF NOT EXISTS epcis_containment (
  parent String,
  child String,
  quantity Nullable(Float64),
  unit Nullable(String),
  action LowCardinality(String),
  at DateTime64(3, 'UTC'),
  epcis_event_id String,
  event_id String
) ENGINE = ReplacingMergeTree ORDER BY (parent, at, epcis_event_id, child, event_id);

-- The inputs of transformations, so a later event sharing a transformationID joins them.
CREATE TABLE IF NOT EXISTS epcis_transformation_inputs (
  transformation_id String,
  batch_id String,
  quantity Float64,
  unit String,
  epcis_event_id String,
  event_id String
) ENGINE = ReplacingMergeTree ORDER BY (transformation_id, batch_id, epcis_event_id, event_id);

-- Identifiers an EPCIS event names that no trace can place (class patterns, unknown contents).
CREATE TABLE IF NOT EXISTS epcis_unresolved (
  epcis_event_id String,
  path String,
  id String,
  reason String,
  event_id String
) ENGINE = ReplacingMergeTree ORDER BY (epcis_event_id, path, id, event_id);

-- Capture jobs (POST /epcis/capture), written by ingest when a capture finishes.
CREATE TABLE IF NOT EXISTS epcis_capture_jobs (
  capture_id String,
  party String,
  created_at DateTime64(3, 'UTC'),
  finished_at DateTime64(3, 'UTC'),
  success UInt8,
  error_behaviour LowCardinality(String),
  job String
) ENGINE = ReplacingMergeTree ORDER BY capture_id;

-- The identifiers parties register (PGLN/GLN, 统一社会信用代码), by their canonical key.
CREATE TABLE IF NOT EXISTS party_identifiers (
  identifier String,
  party_id String,
  created_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY identifier;

-- Native events in time order with the EPCIS attributes their export has, so an EPCIS query
-- pages through them in order and filters them without reading their payloads.
CREATE TABLE IF NOT EXISTS epcis_native_events (
  event_time DateTime64(3, 'UTC'),
  event_id String,
  recorded_at DateTime64(3, 'UTC'),
  party String,
  native_type LowCardinality(String),
  epcis_type LowCardinality(String),
  action LowCardinality(String),
  biz_step LowCardinality(String),
  disposition LowCardinality(String),
  biz_location String
) ENGINE = ReplacingMergeTree ORDER BY (event_time, event_id);
