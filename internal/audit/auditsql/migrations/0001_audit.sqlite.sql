-- The audit trail. audit_events and audit_checkpoints are append-only: the
-- triggers below refuse UPDATE and DELETE, except deletes of old events
-- through a retention permit inserted in the same transaction.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,  -- the Merkle leaf index, from 0
    id          TEXT NOT NULL UNIQUE, -- client-chosen, for idempotent retries
    time        BIGINT NOT NULL,      -- unix ms, for queries; the hashed bytes hold ns
    recorded_at BIGINT NOT NULL,
    action      TEXT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_ref   TEXT NOT NULL,        -- pseudonym for users
    target_type TEXT NOT NULL,
    target_ref  TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    canonical   BLOB NOT NULL,        -- the exact hashed bytes, never re-serialised
    leaf_hash   BLOB NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (time);
CREATE INDEX audit_events_recorded ON audit_events (recorded_at);
CREATE INDEX audit_events_actor ON audit_events (actor_ref, seq);
CREATE INDEX audit_events_target ON audit_events (target_ref, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);

-- A permit lets retention delete events below up_to_seq recorded before
-- cutoff; the retention transaction inserts it and deletes it again.
CREATE TABLE audit_retention_permits (
    up_to_seq BIGINT NOT NULL,
    cutoff    BIGINT NOT NULL
);

-- The shortest retention the database itself allows, whatever a permit
-- says; a floor against a bug or a hand-made permit deleting recent events.
-- On PostgreSQL the table owner sets it; here it documents the floor.
CREATE TABLE audit_settings (
    min_retention_ms BIGINT NOT NULL
);
INSERT INTO audit_settings (min_retention_ms) VALUES (86400000);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE is refused');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (SELECT 1 FROM audit_retention_permits p
                 WHERE OLD.seq < p.up_to_seq AND OLD.recorded_at < p.cutoff
                   AND p.cutoff <= CAST(strftime('%s', 'now') AS INTEGER) * 1000
                                   - (SELECT min_retention_ms FROM audit_settings))
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: DELETE is refused except by retention of events older than the retention period');
END;

CREATE TABLE audit_checkpoints (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    size       BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    body       TEXT NOT NULL          -- the signed JSON, as published
);
CREATE INDEX audit_checkpoints_kind ON audit_checkpoints (kind, id);

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only: UPDATE is refused');
END;

CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only: DELETE is refused');
END;

-- Pseudonym keys. Deliberately mutable: deleting a row is how an erasure
-- request is honoured without touching the hashed events.
CREATE TABLE audit_subjects (
    subject    TEXT PRIMARY KEY,
    pseudonym  TEXT NOT NULL UNIQUE,
    key        BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
