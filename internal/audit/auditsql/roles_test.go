package auditsql_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/audit/auditsql"
	"github.com/wardenhq/warden/internal/store/storetest"
)

// The app role, once the tables belong to a role nobody logs in as, can
// append and read but can neither change rows nor remove the guards.
func TestOwnerSetupLocksTheAppRoleOut(t *testing.T) {
	db := storetest.Postgres(t, auditsql.Migrations)
	ctx := context.Background()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	owner, app := "audit_owner_"+hex.EncodeToString(suffix), "warden_app_"+hex.EncodeToString(suffix)
	mustExec := func(q string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec("CREATE ROLE " + app + " LOGIN")
	t.Cleanup(func() {
		for _, q := range []string{"REASSIGN OWNED BY " + owner + " TO CURRENT_USER", "DROP OWNED BY " + app, "DROP OWNED BY " + owner,
			"DROP ROLE IF EXISTS " + app, "DROP ROLE IF EXISTS " + owner} {
			db.ExecContext(ctx, q)
		}
	})
	mustExec("GRANT USAGE, CREATE ON SCHEMA public TO " + app)
	mustExec("ALTER TABLE audit_subjects OWNER TO " + app)
	setup, err := auditsql.OwnerSetupSQL(owner, app)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(setup)

	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET ROLE "+app); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "RESET ROLE")
	allowed := []string{
		`INSERT INTO audit_events (seq, id, time, recorded_at, action, actor_type, actor_ref, target_type, target_ref, outcome, canonical, leaf_hash)
		 VALUES (0, 'x', 0, 0, 'a.b', 'service', 's', '', '', 'success', '\x00', '\x00')`,
		"SELECT COUNT(*) FROM audit_events",
		"INSERT INTO audit_checkpoints (size, kind, created_at, body) VALUES (1, 'manual', 0, '{}')",
	}
	for _, q := range allowed {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Errorf("app role cannot %q: %v", q, err)
		}
	}
	refused := map[string]string{
		"UPDATE audit_events SET outcome = 'failure'":         "permission denied",
		"DELETE FROM audit_events":                            "append-only",
		"TRUNCATE audit_events":                               "permission denied",
		"DROP TRIGGER audit_events_no_update ON audit_events": "must be owner",
		"ALTER TABLE audit_events DISABLE TRIGGER USER":       "must be owner",
		"UPDATE audit_settings SET min_retention_ms = 0":      "permission denied",
		"DROP TABLE audit_checkpoints":                        "must be owner",
		"CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$": "must be owner",
	}
	for q, want := range refused {
		_, err := conn.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", q, err, want)
		}
	}
}

func TestOwnerSetupChecksNames(t *testing.T) {
	if _, err := auditsql.OwnerSetupSQL("owner; DROP TABLE x", "app"); err == nil {
		t.Fatal("injection in a role name accepted")
	}
}
