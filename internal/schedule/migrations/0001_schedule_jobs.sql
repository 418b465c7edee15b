-- One row per job. last_slot is the unix-millisecond time of the latest slot
-- an instance claimed (0 before the first); the conditional UPDATE on it is
-- what makes each slot run on one instance only.
CREATE TABLE schedule_jobs (
    name             TEXT PRIMARY KEY,
    last_slot        BIGINT NOT NULL,
    last_started_at  BIGINT,
    last_finished_at BIGINT,
    last_error       TEXT,
    last_duration_ms BIGINT,
    runs             BIGINT NOT NULL DEFAULT 0,
    owner            TEXT
);
