package auditsql

import (
	"fmt"
	"regexp"
)

var roleName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// OwnerSetupSQL returns the PostgreSQL statements that hand the audit tables
// to owner, a role nobody logs in as, and grant app (the role Warden logs in
// with) only what appending, reading and retention need. Run it once as a
// superuser after Warden has created the tables:
//
//	psql "$SUPERUSER_URL" -c "$(warden audit owner-sql ...)"   // or paste it
//
// Afterwards the app role cannot drop or disable the triggers, change the
// retention floor or truncate the tables: only the table owner can, and
// nobody can log in as it. Schema changes to these tables (a future Warden
// migration) then need the owner: run them with SET ROLE owner as a
// superuser.
func OwnerSetupSQL(owner, app string) (string, error) {
	if !roleName.MatchString(owner) || !roleName.MatchString(app) || owner == app {
		return "", fmt.Errorf("role names must be distinct lower-case identifiers, got %q and %q", owner, app)
	}
	return fmt.Sprintf(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%[1]s') THEN
        CREATE ROLE %[1]s NOLOGIN;
    END IF;
END $$;
ALTER TABLE audit_events OWNER TO %[1]s;
ALTER TABLE audit_checkpoints OWNER TO %[1]s;
ALTER TABLE audit_retention_permits OWNER TO %[1]s;
ALTER TABLE audit_settings OWNER TO %[1]s;
ALTER FUNCTION audit_refuse_change() OWNER TO %[1]s;
ALTER FUNCTION audit_events_guard_delete() OWNER TO %[1]s;
REVOKE ALL ON audit_events, audit_checkpoints, audit_retention_permits, audit_settings FROM PUBLIC, %[2]s;
-- DELETE passes the trigger only with a retention permit of the same transaction.
GRANT SELECT, INSERT, DELETE ON audit_events TO %[2]s;
GRANT SELECT, INSERT ON audit_checkpoints TO %[2]s;
GRANT USAGE ON SEQUENCE audit_checkpoints_id_seq TO %[2]s;
GRANT SELECT, INSERT, DELETE ON audit_retention_permits TO %[2]s;
GRANT SELECT ON audit_settings TO %[2]s;
`, owner, app), nil
}
