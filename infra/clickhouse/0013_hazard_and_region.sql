-- The dimensions risk early warning counts failure rates by (issue 18): the hazard an inspection
-- tests for (InspectionRecorded v4) and the administrative division of the site a batch was made
-- at (BatchProduced v3, location.region). Both optional: rows written before read NULL, and
-- count under no hazard and no region.

ALTER TABLE inspections ADD COLUMN IF NOT EXISTS hazard Nullable(String);

ALTER TABLE batches ADD COLUMN IF NOT EXISTS region Nullable(String);
