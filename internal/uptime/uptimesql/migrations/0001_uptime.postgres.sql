CREATE TABLE uptime_results (
    id          BIGSERIAL PRIMARY KEY,
    check_name  TEXT NOT NULL,
    at          BIGINT NOT NULL,
    ok          INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    latency_us  BIGINT NOT NULL,
    error       TEXT NOT NULL,
    maintenance INTEGER NOT NULL
);
CREATE INDEX uptime_results_check_at ON uptime_results (check_name, at);
CREATE INDEX uptime_results_at ON uptime_results (at);

CREATE TABLE uptime_rollups (
    check_name     TEXT NOT NULL,
    period         TEXT NOT NULL,
    start          BIGINT NOT NULL,
    passed         BIGINT NOT NULL,
    failed         BIGINT NOT NULL,
    maintenance    BIGINT NOT NULL,
    latency_sum_us BIGINT NOT NULL,
    latency_max_us BIGINT NOT NULL,
    PRIMARY KEY (check_name, period, start)
);

CREATE TABLE uptime_state (
    check_name TEXT PRIMARY KEY,
    data       TEXT NOT NULL
);

CREATE TABLE uptime_incidents (
    id            BIGSERIAL PRIMARY KEY,
    check_name    TEXT NOT NULL,
    first_fail_at BIGINT NOT NULL,
    detected_at   BIGINT NOT NULL,
    recovered_at  BIGINT NOT NULL,
    resolved_at   BIGINT NOT NULL,
    cause         TEXT NOT NULL
);
CREATE INDEX uptime_incidents_check ON uptime_incidents (check_name, detected_at);
CREATE INDEX uptime_incidents_resolved ON uptime_incidents (resolved_at);

CREATE TABLE uptime_notes (
    id          BIGSERIAL PRIMARY KEY,
    incident_id BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    author      TEXT NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX uptime_notes_incident ON uptime_notes (incident_id);
