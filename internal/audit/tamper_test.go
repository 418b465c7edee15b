package audit_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
)

// dropGuards removes the append-only triggers, as a database superuser
// could, so the tests can tamper the way an attacker would.
func dropGuards(t *testing.T, db *store.DB) {
	t.Helper()
	stmts := []string{"ALTER TABLE audit_events DISABLE TRIGGER USER", "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER"}
	if db.Dialect == store.SQLite {
		stmts = []string{"DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete",
			"DROP TRIGGER audit_checkpoints_no_update", "DROP TRIGGER audit_checkpoints_no_delete"}
	}
	for _, s := range stmts {
		sqlExec(t, db, s)
	}
}

func sqlExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func canonicalOf(t *testing.T, db *store.DB, seq int64) ([]byte, []byte) {
	t.Helper()
	var c, h []byte
	if err := db.QueryRowContext(context.Background(), "SELECT canonical, leaf_hash FROM audit_events WHERE seq = ?", seq).Scan(&c, &h); err != nil {
		t.Fatal(err)
	}
	return c, h
}

func TestVerifyNamesTheTamperedEvent(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, e *env)
		kind   string
		seq    int64
	}{
		{"untouched", func(t *testing.T, e *env) {}, "", 0},
		{"edit hashed bytes", func(t *testing.T, e *env) {
			c, _ := canonicalOf(t, e.db, 7)
			sqlExec(t, e.db, "UPDATE audit_events SET canonical = ? WHERE seq = ?", bytes.Replace(c, []byte(`"amount":700`), []byte(`"amount":7000`), 1), 7)
		}, audit.ProblemEdited, 7},
		{"edit column", func(t *testing.T, e *env) {
			sqlExec(t, e.db, "UPDATE audit_events SET outcome = 'failure' WHERE seq = 7")
		}, audit.ProblemEdited, 7},
		{"edit and re-hash", func(t *testing.T, e *env) {
			c, _ := canonicalOf(t, e.db, 7)
			c = bytes.Replace(c, []byte(`"amount":700`), []byte(`"amount":1`), 1)
			sqlExec(t, e.db, "UPDATE audit_events SET canonical = ?, leaf_hash = ? WHERE seq = ?", c, audit.LeafHash(c), 7)
		}, audit.ProblemEdited, 7},
		{"delete", func(t *testing.T, e *env) {
			sqlExec(t, e.db, "DELETE FROM audit_events WHERE seq = 7")
		}, audit.ProblemRemoved, 7},
		{"delete and renumber", func(t *testing.T, e *env) {
			sqlExec(t, e.db, "DELETE FROM audit_events WHERE seq = 7")
			for seq := 8; seq < 25; seq++ {
				sqlExec(t, e.db, "UPDATE audit_events SET seq = ? WHERE seq = ?", seq-1, seq)
			}
		}, audit.ProblemRemoved, 7},
		{"swap", func(t *testing.T, e *env) {
			sqlExec(t, e.db, "UPDATE audit_events SET seq = -1 WHERE seq = 7")
			sqlExec(t, e.db, "UPDATE audit_events SET seq = 7 WHERE seq = 8")
			sqlExec(t, e.db, "UPDATE audit_events SET seq = 8 WHERE seq = -1")
		}, audit.ProblemReordered, 7},
		{"insert", func(t *testing.T, e *env) {
			for seq := 24; seq >= 7; seq-- {
				sqlExec(t, e.db, "UPDATE audit_events SET seq = ? WHERE seq = ?", seq+1, seq)
			}
			// A careful forger: right seq, linked to the event before.
			_, prev := canonicalOf(t, e.db, 6)
			forged := event(99)
			forged.ID = "forged-event"
			forged.Time = start
			c, err := audit.Canonical(forged, 7, prev, start)
			if err != nil {
				t.Fatal(err)
			}
			sqlExec(t, e.db, `INSERT INTO audit_events (seq, id, time, recorded_at, action, actor_type, actor_ref, target_type, target_ref, outcome, canonical, leaf_hash)
				VALUES (7, 'forged-event', ?, ?, 'payment.initiated', 'user', 'user-0', 'payment', 'pay-99', 'success', ?, ?)`,
				start.UnixMilli(), start.UnixMilli(), c, audit.LeafHash(c))
		}, audit.ProblemInserted, 7},
		{"truncate newest", func(t *testing.T, e *env) {
			sqlExec(t, e.db, "DELETE FROM audit_events WHERE seq >= 15")
		}, audit.ProblemRemoved, 15},
		{"truncate newest and their checkpoints", func(t *testing.T, e *env) {
			sqlExec(t, e.db, "DELETE FROM audit_events WHERE seq >= 15")
			sqlExec(t, e.db, "DELETE FROM audit_checkpoints")
		}, audit.ProblemRemoved, 15},
		{"truncate everything and the checkpoints", func(t *testing.T, e *env) {
			if e.db.Dialect == store.Postgres {
				sqlExec(t, e.db, "TRUNCATE audit_events, audit_checkpoints")
				return
			}
			sqlExec(t, e.db, "DELETE FROM audit_events")
			sqlExec(t, e.db, "DELETE FROM audit_checkpoints")
		}, audit.ProblemRemoved, 0},
		{"forged published checkpoint", func(t *testing.T, e *env) {
			b, err := os.ReadFile(e.cpFile)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(e.cpFile, []byte(strings.Replace(string(b), `"size":20`, `"size":19`, 1)), 0o644)
		}, audit.ProblemCheckpoint, -1},
	}
	forEach(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, freshLike(t, db))
				e.appendN(t, 20)
				if _, err := e.svc.CheckpointNow(context.Background(), audit.CheckpointManual); err != nil {
					t.Fatal(err)
				}
				e.appendN(t, 5)
				mustOK(t, e.verify(t))
				dropGuards(t, e.db)
				tt.tamper(t, e)
				rep := e.verify(t)
				if tt.kind == "" {
					mustOK(t, rep)
					return
				}
				if rep.OK || rep.Problem == nil {
					t.Fatalf("tampering went unnoticed: %+v", rep)
				}
				if rep.Problem.Kind != tt.kind || rep.Problem.Seq != tt.seq {
					t.Fatalf("problem = %v; want %s at %d", rep.Problem, tt.kind, tt.seq)
				}
				t.Logf("%s: %v", tt.name, rep.Problem)
			})
		}
	})
}
