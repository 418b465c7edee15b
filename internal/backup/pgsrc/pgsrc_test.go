package pgsrc_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/backup/backupsql"
	"github.com/wardenhq/warden/internal/backup/dest"
	"github.com/wardenhq/warden/internal/backup/pgsrc"
	"github.com/wardenhq/warden/internal/store/storetest"
)

func randomName(prefix string) string {
	b := make([]byte, 5)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// sourceDB creates a database on the test server with two schemas of
// tables and rows, dropped when the test ends.
func sourceDB(t *testing.T) (string, *sql.DB) {
	t.Helper()
	server := storetest.PostgresURL(t)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	name := randomName("wt_src_")
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	u := storetest.WithDatabase(t, server, name)
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	for _, q := range []string{
		`CREATE TABLE accounts (id BIGSERIAL PRIMARY KEY, iban TEXT NOT NULL, balance NUMERIC NOT NULL)`,
		`CREATE SCHEMA ledger`,
		`CREATE TABLE ledger.entries (id BIGSERIAL PRIMARY KEY, account BIGINT REFERENCES accounts(id), amount BIGINT, at TIMESTAMPTZ DEFAULT now())`,
		`INSERT INTO accounts (iban, balance) SELECT 'DE' || g, g * 10 FROM generate_series(1, 2000) g`,
		`INSERT INTO ledger.entries (account, amount) SELECT 1 + g % 2000, g FROM generate_series(1, 5000) g`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return u, db
}

// TestPostgresBackupVerifyRestore runs against the real server: backup
// while a writer inserts, verification by a full pg_restore into a scratch
// database, restore into a new database with the same row counts.
func TestPostgresBackupVerifyRestore(t *testing.T) {
	srcURL, app := sourceDB(t)
	catalog := backupsql.New(storetest.SQLite(t, backupsql.Migrations))
	destDir := t.TempDir()
	target := &backup.Target{Name: "ledger", Source: &pgsrc.Source{URL: srcURL}, Dest: &dest.Local{Dir: destDir}, Verify: true}
	mgr, err := backup.New(backup.Options{Targets: []*backup.Target{target}, Catalog: catalog,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WorkDir: t.TempDir(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	stop := make(chan struct{})
	var wrote atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // bounded writer
		defer wg.Done()
		for i := 0; i < 5000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := app.Exec(`INSERT INTO ledger.entries (account, amount) VALUES (1, $1)`, i); err != nil {
				t.Errorf("writer: %v", err)
				return
			}
			wrote.Add(1)
		}
	}()
	for wrote.Load() < 10 {
		time.Sleep(time.Millisecond)
	}
	rec, err := mgr.Run(ctx, "ledger", backup.TriggerManual, nil)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if rec.VerifyStatus != backup.VerifyPassed {
		t.Fatalf("verification: %s %s", rec.VerifyStatus, rec.VerifyError)
	}
	if !strings.HasSuffix(rec.Artifact, ".pgdump.zst") || rec.Manifest.Tools["pg_dump"] == "" || rec.Manifest.Tools["postgres_server"] == "" {
		t.Errorf("artifact %s, tools %v", rec.Artifact, rec.Manifest.Tools)
	}
	if rec.Manifest.Tables["public.accounts"] != 2000 || rec.Manifest.Tables["ledger.entries"] < 5010 {
		t.Errorf("manifest tables %v", rec.Manifest.Tables)
	}
	if strings.Contains(rec.Manifest.Source, "password") {
		t.Errorf("manifest source shows a password: %s", rec.Manifest.Source)
	}

	// Restore into a new database: same row counts as the manifest.
	server := storetest.PostgresURL(t)
	restoredName := randomName("wt_restored_")
	restoredURL := storetest.WithDatabase(t, server, restoredName)
	t.Cleanup(func() {
		admin, _ := sql.Open("pgx", server)
		admin.Exec("DROP DATABASE IF EXISTS " + restoredName + " WITH (FORCE)")
		admin.Close()
	})
	res, err := mgr.Restore(ctx, "ledger", "latest", restoredURL, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	insp, err := target.Source.Inspect(ctx, restoredURL)
	if err != nil {
		t.Fatal(err)
	}
	for table, want := range rec.Manifest.Tables {
		if insp.Tables[table] != want {
			t.Errorf("%s: restored %d rows, manifest %d", table, insp.Tables[table], want)
		}
	}
	t.Logf("restored %s in %v: %v", res.BackupID, res.Duration, insp.Tables)

	// A second restore into the now non-empty database is refused.
	if _, err := mgr.Restore(ctx, "ledger", "latest", restoredURL, false, nil); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Errorf("restore into a non-empty database: %v", err)
	}
	// The live database is refused without --force.
	if _, err := mgr.Restore(ctx, "ledger", "latest", srcURL, false, nil); !errors.Is(err, backup.ErrLive) {
		t.Errorf("restore over the live database: %v", err)
	}
	// A drill restores into a scratch database and drops it.
	chk, err := mgr.Drill(ctx, "ledger", "", nil)
	if err != nil || chk.Report.Integrity != "ok" {
		t.Fatalf("drill: %v %+v", err, chk)
	}
	if !strings.Contains(chk.Report.Location, "warden_drill_") {
		t.Errorf("drill location %s", chk.Report.Location)
	}
}

func TestVersionCompatibility(t *testing.T) {
	for _, tc := range []struct {
		line  string
		major int
	}{
		{"pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", 15},
		{"pg_dump (PostgreSQL) 17.2", 17},
		{"pg_dump (PostgreSQL) 9.6.24", 9},
	} {
		got, err := pgsrc.ParseMajor(tc.line)
		if err != nil || got != tc.major {
			t.Errorf("ParseMajor(%q) = %d, %v", tc.line, got, err)
		}
	}
	if _, err := pgsrc.ParseMajor("garbage"); err == nil {
		t.Error("ParseMajor accepted garbage")
	}
	if err := pgsrc.CheckCompatible(15, 16); err == nil || !strings.Contains(err.Error(), "pg_dump is version 15 but the server is version 16") {
		t.Errorf("older client: %v", err)
	}
	if err := pgsrc.CheckCompatible(16, 15); err != nil {
		t.Errorf("newer client refused: %v", err)
	}
	tools, err := pgsrc.FindTools(context.Background(), "")
	if err != nil {
		t.Skipf("no PostgreSQL client installed: %v", err)
	}
	if !strings.HasPrefix(tools.Dump, "/usr/lib/postgresql/") && !strings.HasSuffix(tools.Dump, "pg_dump") {
		t.Errorf("found pg_dump at %s", tools.Dump)
	}
	if _, err := pgsrc.FindTools(context.Background(), t.TempDir()); err == nil {
		t.Error("FindTools found tools in an empty directory")
	}
}
