CREATE TABLE backup_runs (
    id            TEXT PRIMARY KEY,
    target        TEXT NOT NULL,
    engine        TEXT NOT NULL,
    trigger_kind  TEXT NOT NULL,
    status        TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    finished_at   BIGINT NOT NULL DEFAULT 0,
    snapshot_at   BIGINT NOT NULL DEFAULT 0,
    duration_ms   BIGINT NOT NULL DEFAULT 0,
    destination   TEXT NOT NULL DEFAULT '',
    artifact      TEXT NOT NULL DEFAULT '',
    size          BIGINT NOT NULL DEFAULT 0,
    raw_size      BIGINT NOT NULL DEFAULT 0,
    sha256        TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    manifest      TEXT NOT NULL DEFAULT '',
    verify_status TEXT NOT NULL DEFAULT 'none',
    verified_at   BIGINT NOT NULL DEFAULT 0,
    verify_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_runs_target ON backup_runs (target, started_at);
CREATE INDEX backup_runs_started ON backup_runs (started_at);

CREATE TABLE backup_checks (
    id          TEXT PRIMARY KEY,
    backup_id   TEXT NOT NULL,
    target      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    status      TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    report      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_checks_target ON backup_checks (target, started_at);
