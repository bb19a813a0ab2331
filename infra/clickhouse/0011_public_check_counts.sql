-- The public checks of every trace-API instance, per code (issue 17): each instance adds, every
-- flush interval, one row per code it answered with what it counted meanwhile; the sum over the
-- rows is the code's count, whichever instances answered. Merges fold a code's rows into one.
CREATE TABLE IF NOT EXISTS public_check_counts (
  code String,
  checks SimpleAggregateFunction(sum, UInt64),
  first_checked_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
  last_checked_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
  networks SimpleAggregateFunction(groupUniqArrayArray, Array(String))
) ENGINE = AggregatingMergeTree ORDER BY code;
