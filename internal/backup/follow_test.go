package backup_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/backup/backupsql"
	"github.com/wardenhq/warden/internal/backup/dest"
	"github.com/wardenhq/warden/internal/backup/sqlitesrc"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// damaging hands the sealer one region with a flipped byte, as a region
// read before SQLite finished writing it would be.
type damaging struct {
	*sqlitesrc.Source
	regions int
}

func (d *damaging) DumpFollow(ctx context.Context, path string, buf func() []byte, emit func(int64, []byte)) (backup.Dump, int64, error) {
	return d.Source.DumpFollow(ctx, path, buf, func(off int64, b []byte) {
		if d.regions == 1 {
			b[len(b)/2] ^= 0x40
		}
		d.regions++
		emit(off, b)
	})
}

// bulkDB makes a database of rows generated inside SQLite (one statement:
// fast even under the race detector).
func bulkDB(t *testing.T, rows int) string {
	t.Helper()
	path, db := appDB(t, 0)
	mustExec(t, db, `INSERT INTO payments (amount, note) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
		SELECT i, 'payment ' || i || ' for order ' || (i * 7) FROM c`, rows)
	return path
}

func followFixture(t *testing.T, src backup.Source) (*backup.Manager, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	target := &backup.Target{Name: "app", Source: src, Dest: &dest.Local{Dir: filepath.Join(t.TempDir(), "b")}, Verify: true}
	mgr, err := backup.New(backup.Options{Targets: []*backup.Target{target}, Catalog: backupsql.New(catalogDB(t)),
		Logger: slog.New(slog.NewTextHandler(io.MultiWriter(logs, io.Discard), nil)), WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return mgr, logs
}

// A SQLite backup is compressed while the backup API writes the copy:
// the artifact (a stored frame with page 1, then the compressed frames of
// the rest) verifies and restores, and the copy was not taken twice.
func TestSQLiteBackupCompressedWhileCopied(t *testing.T) {
	srcPath := bulkDB(t, 120000) // ~5 MiB: two regions
	mgr, logs := followFixture(t, &sqlitesrc.Source{Path: srcPath, WorkDir: t.TempDir()})
	rec, err := mgr.Run(context.Background(), "app", backup.TriggerManual, nil)
	if err != nil || rec.VerifyStatus != backup.VerifyPassed {
		t.Fatalf("backup: %v %+v", err, rec)
	}
	if strings.Contains(logs.String(), "copying again") {
		t.Fatalf("the backup fell back to a second copy:\n%s", logs)
	}
	if rec.Manifest.Tables["payments"] != 120000 || rec.RawSize < 4<<20 || rec.Size >= rec.RawSize {
		t.Fatalf("manifest %+v, raw %d, size %d", rec.Manifest.Tables, rec.RawSize, rec.Size)
	}
	to := filepath.Join(t.TempDir(), "restored.db")
	if _, err := mgr.Restore(context.Background(), "app", "latest", to, false, nil); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, to, "payments"); n != 120000 {
		t.Fatalf("restored %d rows", n)
	}
}

// A region that does not match the finished copy is caught before the
// artifact is stored: the copy is taken again and sealed from the file,
// and the backup is whole.
func TestSQLiteBackupRecopiesWhenARegionWasReadTooEarly(t *testing.T) {
	srcPath := bulkDB(t, 120000)
	src := &damaging{Source: &sqlitesrc.Source{Path: srcPath, WorkDir: t.TempDir()}}
	mgr, logs := followFixture(t, src)
	rec, err := mgr.Run(context.Background(), "app", backup.TriggerManual, nil)
	if err != nil || rec.VerifyStatus != backup.VerifyPassed {
		t.Fatalf("backup: %v %+v", err, rec)
	}
	if src.regions < 2 {
		t.Fatalf("only %d regions: the test damaged nothing", src.regions)
	}
	if !strings.Contains(logs.String(), "copying again") || !strings.Contains(logs.String(), "the copy changed after it was read") {
		t.Fatalf("no fallback logged:\n%s", logs)
	}
	if rec.Manifest.Tables["payments"] != 120000 {
		t.Fatalf("manifest %+v", rec.Manifest.Tables)
	}
}

// The stored first frame holds page 1 whatever the page size (512 to
// 65536 bytes): such backups verify and restore.
func TestSQLiteBackupCompressedWhileCopiedAnyPageSize(t *testing.T) {
	for _, ps := range []int{512, 65536} {
		path := filepath.Join(t.TempDir(), "app.db")
		db, err := sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=page_size(%d)&_pragma=journal_mode(WAL)", path, ps))
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, `CREATE TABLE payments (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, note TEXT NOT NULL)`)
		mustExec(t, db, `INSERT INTO payments (amount, note) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 150000)
			SELECT i, 'payment ' || i FROM c`)
		db.Close()
		mgr, logs := followFixture(t, &sqlitesrc.Source{Path: path, WorkDir: t.TempDir()})
		rec, err := mgr.Run(context.Background(), "app", backup.TriggerManual, nil)
		if err != nil || rec.VerifyStatus != backup.VerifyPassed || rec.Manifest.Tables["payments"] != 150000 {
			t.Fatalf("page size %d: %v %+v", ps, err, rec)
		}
		if strings.Contains(logs.String(), "copying again") {
			t.Fatalf("page size %d fell back:\n%s", ps, logs)
		}
	}
}
