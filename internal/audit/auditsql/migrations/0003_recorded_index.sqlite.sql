-- Retention finds its cut by a binary search on seq (recorded_at grows with
-- seq: the one writer stamps each batch as it commits it), so this index
-- only cost every append one more b-tree insert.
DROP INDEX IF EXISTS audit_events_recorded;
