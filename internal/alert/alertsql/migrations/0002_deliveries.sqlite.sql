CREATE TABLE alert_deliveries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          BIGINT NOT NULL,
    channel     TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    group_key   TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    code        INTEGER NOT NULL,
    error       TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    firing      INTEGER NOT NULL,
    resolved    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    test        INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_channel ON alert_deliveries (channel, id);
CREATE INDEX alert_deliveries_group ON alert_deliveries (group_key);
