-- On PostgreSQL the index stays: audit_events may belong to a role Warden
-- cannot act as (see auditsql.OwnerSetupSQL), so dropping it here would stop
-- an upgrade, and PostgreSQL appends are not limited by it. Retention does
-- not need it on either engine.
SELECT 1;
