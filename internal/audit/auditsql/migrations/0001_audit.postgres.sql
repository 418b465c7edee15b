-- The audit trail. audit_events and audit_checkpoints are append-only: the
-- triggers below refuse UPDATE, DELETE and TRUNCATE, except deletes of old
-- events through a retention permit inserted in the same transaction.
CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,   -- the Merkle leaf index, from 0
    id          TEXT NOT NULL UNIQUE, -- client-chosen, for idempotent retries
    time        BIGINT NOT NULL,      -- unix ms, for queries; the hashed bytes hold ns
    recorded_at BIGINT NOT NULL,
    action      TEXT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_ref   TEXT NOT NULL,        -- pseudonym for users
    target_type TEXT NOT NULL,
    target_ref  TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    canonical   BYTEA NOT NULL,       -- the exact hashed bytes (jsonb would reorder keys)
    leaf_hash   BYTEA NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (time);
CREATE INDEX audit_events_recorded ON audit_events (recorded_at);
CREATE INDEX audit_events_actor ON audit_events (actor_ref, seq);
CREATE INDEX audit_events_target ON audit_events (target_ref, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);

-- A permit is valid only inside the transaction that inserted it.
CREATE TABLE audit_retention_permits (
    up_to_seq BIGINT NOT NULL,
    cutoff    BIGINT NOT NULL,
    txid      BIGINT NOT NULL DEFAULT txid_current()
);

-- The shortest retention the database itself allows, whatever a permit
-- says. The table owner (see auditsql.OwnerSetupSQL) sets it to the legal
-- minimum; the application role can only read it.
CREATE TABLE audit_settings (
    min_retention_ms BIGINT NOT NULL
);
INSERT INTO audit_settings (min_retention_ms) VALUES (86400000);

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION audit_events_guard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_retention_permits p
               WHERE OLD.seq < p.up_to_seq AND OLD.recorded_at < p.cutoff
                 AND p.txid = txid_current()
                 AND p.cutoff <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint
                                 - (SELECT min_retention_ms FROM audit_settings)) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: DELETE is refused except by retention of events older than the retention period'
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_guard_delete();
-- TRUNCATE fires no row triggers: it needs a statement-level one.
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE TABLE audit_checkpoints (
    id         BIGSERIAL PRIMARY KEY,
    size       BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    body       TEXT NOT NULL          -- the signed JSON, as published
);
CREATE INDEX audit_checkpoints_kind ON audit_checkpoints (kind, id);

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- Pseudonym keys. Deliberately mutable: deleting a row is how an erasure
-- request is honoured without touching the hashed events.
CREATE TABLE audit_subjects (
    subject    TEXT PRIMARY KEY,
    pseudonym  TEXT NOT NULL UNIQUE,
    key        BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
