-- Consumer complaints (DefectReported v2's complaint record) on the defect rows they belong to,
-- and a party's registered administrative division (issue 18). All optional: a defect report
-- without a complaint record (any written before) reads NULL in every complaint column, and a
-- party registered without a region, or before, reads NULL.

ALTER TABLE defects ADD COLUMN IF NOT EXISTS complaint_channel LowCardinality(Nullable(String));

ALTER TABLE defects ADD COLUMN IF NOT EXISTS complaint_received_at Nullable(DateTime64(3, 'UTC'));

-- The consumer's division (GB/T 2260 code): complaints are counted by it.
ALTER TABLE defects ADD COLUMN IF NOT EXISTS complaint_region Nullable(String);

ALTER TABLE defects ADD COLUMN IF NOT EXISTS purchase_place Nullable(String);

ALTER TABLE defects ADD COLUMN IF NOT EXISTS units_affected Nullable(UInt32);

ALTER TABLE defects ADD COLUMN IF NOT EXISTS illness_reported Nullable(Bool);

ALTER TABLE defects ADD COLUMN IF NOT EXISTS complaint_reference Nullable(String);

-- Where the party is (GB/T 2260 code), as registered and changed by an admin.
ALTER TABLE parties ADD COLUMN IF NOT EXISTS region Nullable(String);
