CREATE TABLE err_issues (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id          INTEGER NOT NULL,
    hash                TEXT NOT NULL,
    title               TEXT NOT NULL,
    culprit             TEXT NOT NULL,
    level               TEXT NOT NULL,
    platform            TEXT NOT NULL,
    status              TEXT NOT NULL,
    resolved_in_release TEXT NOT NULL DEFAULT '',
    first_seen          BIGINT NOT NULL,
    last_seen           BIGINT NOT NULL,
    times_seen          BIGINT NOT NULL DEFAULT 0,
    users               BIGINT NOT NULL DEFAULT 0,
    regressed_at        BIGINT NOT NULL DEFAULT 0,
    last_event_id       TEXT NOT NULL DEFAULT '',
    group_method        TEXT NOT NULL DEFAULT '',
    UNIQUE (project_id, hash)
);
CREATE INDEX err_issues_last_seen ON err_issues (last_seen);

CREATE TABLE err_events (
    project_id  INTEGER NOT NULL,
    event_id    TEXT NOT NULL,
    issue_id    BIGINT NOT NULL,
    ts          BIGINT NOT NULL,
    received    BIGINT NOT NULL,
    level       TEXT NOT NULL,
    release     TEXT NOT NULL,
    environment TEXT NOT NULL,
    title       TEXT NOT NULL,
    payload     BLOB NOT NULL,
    PRIMARY KEY (project_id, event_id)
);
CREATE INDEX err_events_issue ON err_events (issue_id, received);
CREATE INDEX err_events_received ON err_events (received);

CREATE TABLE err_issue_tags (
    issue_id BIGINT NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    count    BIGINT NOT NULL,
    PRIMARY KEY (issue_id, key, value)
);

CREATE TABLE err_issue_users (
    issue_id BIGINT NOT NULL,
    user_key TEXT NOT NULL,
    PRIMARY KEY (issue_id, user_key)
);
