-- The results of verification runs, so that every instance's UI shows the
-- latest one, also after a restart. Deliberately not guarded: it reports,
-- it proves nothing (the chain and the published checkpoints do).
CREATE TABLE audit_verifications (
    at     BIGINT NOT NULL,
    ok     INTEGER NOT NULL,
    report TEXT NOT NULL
);
CREATE INDEX audit_verifications_at ON audit_verifications (at);
