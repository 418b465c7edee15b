CREATE TABLE alert_alerts (
    fingerprint   TEXT PRIMARY KEY,
    labels        TEXT NOT NULL,
    annotations   TEXT NOT NULL,
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    generator_url TEXT NOT NULL,
    closed        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alert_alerts_open ON alert_alerts (closed);
CREATE INDEX alert_alerts_updated ON alert_alerts (updated_at);

CREATE TABLE alert_groups (
    group_key  TEXT PRIMARY KEY,
    route_id   TEXT NOT NULL,
    labels     TEXT NOT NULL,
    next_flush BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE alert_notify_log (
    group_key TEXT NOT NULL,
    channel   TEXT NOT NULL,
    firing    TEXT NOT NULL,
    resolved  TEXT NOT NULL,
    sent_at   BIGINT NOT NULL,
    PRIMARY KEY (group_key, channel)
);

CREATE TABLE alert_silences (
    id         TEXT PRIMARY KEY,
    matchers   TEXT NOT NULL,
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    comment    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
