package backup_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/backup/backupsql"
	"github.com/wardenhq/warden/internal/backup/dest"
	"github.com/wardenhq/warden/internal/backup/sqlitesrc"
)

func streamFixture(t *testing.T, src backup.Source) *backup.Manager {
	t.Helper()
	target := &backup.Target{Name: "app", Source: src, Dest: &dest.Local{Dir: filepath.Join(t.TempDir(), "b")}, Verify: true}
	mgr, err := backup.New(backup.Options{Targets: []*backup.Target{target}, Catalog: backupsql.New(catalogDB(t)),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return mgr
}

// pagedDB makes a database of the given page size and journal mode with
// rows generated inside SQLite (one statement: fast even under -race),
// some of them long enough to spill onto overflow pages.
func pagedDB(t *testing.T, pageSize int, journal string, rows int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=page_size(%d)&_pragma=journal_mode(%s)", path, pageSize, journal))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustExec(t, db, `CREATE TABLE payments (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, note TEXT NOT NULL)`)
	mustExec(t, db, `INSERT INTO payments (amount, note) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
		SELECT i, CASE WHEN i % 1000 = 0 THEN printf('%.*c', 70000, 'x') ELSE 'payment ' || i END FROM c`, rows)
	return path
}

// digest sums what a database holds, to compare a restore with its source.
func digest(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, sum, length int64
	if err := db.QueryRow(`SELECT count(*), sum(amount), sum(length(note)) FROM payments`).Scan(&n, &sum, &length); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(n, sum, length)
}

// A SQLite backup is streamed from the pages into the compressor whatever
// the page size and journal mode: it verifies, and restores to the same
// rows.
func TestSQLiteBackupStreamedAnyPageSize(t *testing.T) {
	for _, ps := range []int{512, 4096, 65536} {
		for _, journal := range []string{"WAL", "DELETE"} {
			path := pagedDB(t, ps, journal, 30000)
			mgr := streamFixture(t, &sqlitesrc.Source{Path: path, WorkDir: t.TempDir()})
			rec, err := mgr.Run(context.Background(), "app", backup.TriggerManual, nil)
			if err != nil || rec.VerifyStatus != backup.VerifyPassed || rec.Manifest.Tables["payments"] != 30000 {
				t.Fatalf("page size %d, %s: %v %+v", ps, journal, err, rec)
			}
			if _, ok := rec.Manifest.StagesMS["dump_and_seal"]; !ok {
				t.Fatalf("page size %d, %s: not streamed: stages %v", ps, journal, rec.Manifest.StagesMS)
			}
			to := filepath.Join(t.TempDir(), "restored.db")
			if _, err := mgr.Restore(context.Background(), "app", "latest", to, false, nil); err != nil {
				t.Fatal(err)
			}
			if got, want := digest(t, to), digest(t, path); got != want {
				t.Fatalf("page size %d, %s: restored %s, source %s", ps, journal, got, want)
			}
		}
	}
}

// With nobody writing, the stream is the database file byte for byte.
func TestSQLiteDumpIsTheFile(t *testing.T) {
	path := pagedDB(t, 4096, "DELETE", 20000)
	var out bytes.Buffer
	var told int64
	d, err := (&sqlitesrc.Source{Path: path}).DumpTo(context.Background(), &out, func(n int64) { told = n })
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), file) || told != int64(len(file)) {
		t.Fatalf("streamed %d bytes (told %d), the file has %d; equal: %v", out.Len(), told, len(file), bytes.Equal(out.Bytes(), file))
	}
	if d.Tables["payments"] != 20000 || d.SnapshotAt.IsZero() {
		t.Fatalf("dump %+v", d)
	}
	// Dump, the file form, writes the same bytes.
	to := filepath.Join(t.TempDir(), "copy.db")
	if d, err := (&sqlitesrc.Source{Path: path}).Dump(context.Background(), to); err != nil || d.Tables["payments"] != 20000 {
		t.Fatalf("Dump: %v %+v", err, d)
	}
	if copied, err := os.ReadFile(to); err != nil || !bytes.Equal(copied, file) {
		t.Fatalf("Dump wrote %d bytes, the file has %d (err %v)", len(copied), len(file), err)
	}
}

// failAfter fails once it has taken n bytes.
type failAfter struct{ n int }

var errSink = errors.New("the disk is full")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errSink
	}
	return len(p), nil
}

// A failing sink ends the dump with its error, and the read transaction
// is gone after it: a checkpoint can then fold the whole WAL back.
func TestSQLiteDumpStopsOnWriteError(t *testing.T) {
	path := pagedDB(t, 4096, "WAL", 20000)
	_, err := (&sqlitesrc.Source{Path: path}).DumpTo(context.Background(), &failAfter{n: 1 << 20}, func(int64) {})
	if !errors.Is(err, errSink) {
		t.Fatalf("err = %v, want the sink's", err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustExec(t, db, `INSERT INTO payments (amount, note) VALUES (1, 'after')`)
	var busy, logged, checkpointed int
	if err := db.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &checkpointed); err != nil || busy != 0 {
		t.Fatalf("checkpoint after a failed dump: busy %d, err %v", busy, err)
	}
}

// While the app holds the database open with everything still in the WAL
// (no checkpoint yet), the stream takes those pages from the WAL: the
// file alone holds almost nothing.
func TestSQLiteDumpReadsTheWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	app, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	app.SetMaxOpenConns(1)
	mustExec(t, app, `CREATE TABLE payments (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, note TEXT NOT NULL)`)
	mustExec(t, app, `INSERT INTO payments (amount, note) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)
		SELECT i, 'payment ' || i FROM c`)
	if st, err := os.Stat(path + "-wal"); err != nil || st.Size() < 100<<10 {
		t.Fatalf("the WAL should hold the rows: %v", err)
	}
	mgr := streamFixture(t, &sqlitesrc.Source{Path: path, WorkDir: t.TempDir()})
	rec, err := mgr.Run(context.Background(), "app", backup.TriggerManual, nil)
	if err != nil || rec.VerifyStatus != backup.VerifyPassed || rec.Manifest.Tables["payments"] != 20000 {
		t.Fatalf("backup: %v %+v", err, rec)
	}
	to := filepath.Join(t.TempDir(), "restored.db")
	if _, err := mgr.Restore(context.Background(), "app", "latest", to, false, nil); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, to, "payments"); n != 20000 {
		t.Fatalf("restored %d rows", n)
	}
}
