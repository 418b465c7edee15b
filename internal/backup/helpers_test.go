package backup_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/backup/backupsql"
	"github.com/wardenhq/warden/internal/backup/dest"
	"github.com/wardenhq/warden/internal/backup/sqlitesrc"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

var sets = []store.MigrationSet{backupsql.Migrations}

// recorder is an alert.Raiser that remembers what it was told.
type recorder struct {
	mu     sync.Mutex
	firing map[string]alert.Alert // by alertname/target
	raised []alert.Alert
}

func newRecorder() *recorder { return &recorder{firing: map[string]alert.Alert{}} }

func (r *recorder) Raise(_ context.Context, a alert.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.firing[a.Labels["alertname"]+"/"+a.Labels["target"]] = a
	r.raised = append(r.raised, a)
	return nil
}

func (r *recorder) Resolve(_ context.Context, l alert.Labels, _ time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.firing, l["alertname"]+"/"+l["target"])
	return nil
}

func (r *recorder) isFiring(name, target string) (alert.Alert, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.firing[name+"/"+target]
	return a, ok
}

// appDB makes an app database in WAL mode with one table of rows.
func appDB(t testing.TB, rows int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(OFF)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mustExec(t, db, `CREATE TABLE payments (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, note TEXT NOT NULL)`)
	mustExec(t, db, `CREATE TABLE "odd ""name""" (x)`)
	mustExec(t, db, `INSERT INTO "odd ""name""" VALUES (1), (2)`)
	insertRows(t, db, rows)
	return path, db
}

func insertRows(t testing.TB, db *sql.DB, n int) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := tx.Exec(`INSERT INTO payments (amount, note) VALUES (?, ?)`, i, fmt.Sprintf("payment %d for order %d", i, i*7)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func mustExec(t testing.TB, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

type fixture struct {
	mgr     *backup.Manager
	target  *backup.Target
	catalog *backupsql.Store
	alerts  *recorder
	destDir string
	srcPath string
}

type option func(*backup.Target)

func withAge(id *age.X25519Identity) option {
	return func(t *backup.Target) {
		t.Sealer.Recipients = []age.Recipient{id.Recipient()}
		t.Opener.Identities = []age.Identity{id}
	}
}

func newFixture(t testing.TB, db *store.DB, srcPath string, opts ...option) *fixture {
	t.Helper()
	f := &fixture{catalog: backupsql.New(db), alerts: newRecorder(), destDir: filepath.Join(t.TempDir(), "backups"), srcPath: srcPath}
	work := t.TempDir()
	f.target = &backup.Target{
		Name:   "app",
		Source: &sqlitesrc.Source{Path: srcPath, WorkDir: work},
		Dest:   &dest.Local{Dir: f.destDir},
		Verify: true,
		MaxAge: 26 * time.Hour,
	}
	for _, o := range opts {
		o(f.target)
	}
	mgr, err := backup.New(backup.Options{
		Targets: []*backup.Target{f.target}, Catalog: f.catalog, Alerts: f.alerts,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WorkDir: work, Version: "test", Environment: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	f.mgr = mgr
	return f
}

func catalogDB(t testing.TB) *store.DB { return storetest.SQLite(t, sets...) }

func countRows(t testing.TB, path, table string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
