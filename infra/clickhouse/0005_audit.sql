-- The audit trail (DESIGN §5): who (actor and roles), when, what (method, route pattern, action,
-- target, status) and from where (ip, user agent, request id) for every regulator trace query,
-- recall action and admin action, denied attempts included. Written in batches by the audit trail
-- of the HTTP app (services/common/audit/audit-trail.ts) and read by admins through GET /v1/audit.
--
-- Append-only: nothing in the platform updates or deletes these rows, and no route offers to.
-- That is why this is a plain MergeTree, with no replacing engine that could fold rows together
-- and no TTL that could expire them. `detail` is a small JSON object of ids, never a secret.

CREATE TABLE IF NOT EXISTS audit_log (
  at DateTime64(3, 'UTC'),
  audit_id String,
  actor String,
  actor_roles Array(LowCardinality(String)),
  action LowCardinality(String),
  method LowCardinality(String),
  route String,
  target String,
  status UInt16,
  ip String,
  user_agent String,
  request_id String,
  detail String
) ENGINE = MergeTree ORDER BY (at, audit_id);
