package backup_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

// TestSQLiteBackupUnderConcurrentWriter takes a backup while another
// connection inserts continuously: the backup finishes, verifies, and
// restores to a database that passes integrity_check and holds every row
// committed before the backup began.
func TestSQLiteBackupUnderConcurrentWriter(t *testing.T) {
	srcPath, app := appDB(t, 20000)
	f := newFixture(t, catalogDB(t), srcPath)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var committed atomic.Int64 // highest id known committed
	var written atomic.Int64
	committed.Store(20000)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the app: bounded in rows and time
		defer wg.Done()
		deadline := time.Now().Add(time.Minute)
		for i := 0; i < 200000 && time.Now().Before(deadline); i++ {
			select {
			case <-stop:
				return
			default:
			}
			res, err := app.Exec(`INSERT INTO payments (amount, note) VALUES (?, 'live')`, i)
			if err != nil {
				t.Errorf("writer: %v", err)
				return
			}
			id, _ := res.LastInsertId()
			committed.Store(id)
			written.Add(1)
		}
	}()
	for written.Load() < 100 { // the writer is really writing
		time.Sleep(time.Millisecond)
	}
	before := committed.Load()
	writtenBefore := written.Load()
	began := time.Now()
	rec, err := f.mgr.Run(ctx, "app", backup.TriggerManual, nil)
	t.Logf("backup, verification and retention took %v", time.Since(began))
	writtenDuring := written.Load() - writtenBefore
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup under load: %v", err)
	}
	t.Logf("backup %s: %d rows committed before it began, %d written while it ran", rec.ID, before, writtenDuring)
	if rec.Status != backup.StatusOK || rec.VerifyStatus != backup.VerifyPassed {
		t.Fatalf("status %s, verification %s (%s)", rec.Status, rec.VerifyStatus, rec.VerifyError)
	}
	if !regexp.MustCompile(`^app-\d{8}T\d{6}Z\.sqlite\.zst$`).MatchString(rec.Artifact) {
		t.Errorf("artifact name %q is not <target>-<UTC timestamp>.sqlite.zst", rec.Artifact)
	}
	m := rec.Manifest
	if m.Tables["payments"] < before {
		t.Errorf("manifest counts %d payments, %d were committed before the backup", m.Tables["payments"], before)
	}
	if m.Tables[`odd "name"`] != 2 {
		t.Errorf("manifest tables = %v", m.Tables)
	}
	for _, k := range []string{"warden", "sqlite", "sqlite_driver", "zstd"} {
		if m.Tools[k] == "" {
			t.Errorf("manifest tools lack %s: %v", k, m.Tools)
		}
	}
	// The stored artifact matches its manifest checksum.
	b, err := os.ReadFile(filepath.Join(f.destDir, rec.Artifact))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != m.Files[0].SHA256 || int64(len(b)) != m.Files[0].Size {
		t.Errorf("stored artifact does not match the manifest's size and SHA-256")
	}
	if !fileExists(filepath.Join(f.destDir, backup.ManifestName(rec.ID))) {
		t.Errorf("manifest file missing beside the artifact")
	}

	to := filepath.Join(t.TempDir(), "restored.db")
	res, err := f.mgr.Restore(ctx, "app", "latest", to, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.BackupID != rec.ID {
		t.Errorf("restored %s, want %s", res.BackupID, rec.ID)
	}
	db, err := sql.Open("sqlite", "file:"+to+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q, %v", integrity, err)
	}
	var upTo, total int64
	if err := db.QueryRow("SELECT count(*) FROM payments WHERE id <= ?", before).Scan(&upTo); err != nil {
		t.Fatal(err)
	}
	if upTo != before {
		t.Errorf("restored copy holds %d of the %d rows committed before the backup began", upTo, before)
	}
	if err := db.QueryRow("SELECT count(*) FROM payments").Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != m.Tables["payments"] {
		t.Errorf("restored %d payments, manifest says %d", total, m.Tables["payments"])
	}
}

// TestVerifyRecordedOnBothEngines checks that verification results land in
// the catalog, on SQLite and PostgreSQL alike.
func TestVerifyRecordedOnBothEngines(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		srcPath, _ := appDB(t, 1000)
		f := newFixture(t, db, srcPath)
		ctx := context.Background()
		rec, err := f.mgr.Run(ctx, "app", backup.TriggerManual, nil)
		if err != nil {
			t.Fatal(err)
		}
		chk, err := f.mgr.Verify(ctx, rec.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if chk.Report.Integrity != "ok" || chk.Report.Checksums != "ok" || len(chk.Report.Tables) != 2 {
			t.Errorf("report = %+v", chk.Report)
		}
		checks, err := f.catalog.Checks(ctx, "app", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(checks) != 2 { // after the backup, and on demand
			t.Fatalf("%d checks recorded, want 2", len(checks))
		}
		for _, c := range checks {
			if c.Status != backup.VerifyPassed || c.BackupID != rec.ID || c.Kind != backup.KindVerify {
				t.Errorf("check %+v", c)
			}
		}
		got, err := f.catalog.Get(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.VerifyStatus != backup.VerifyPassed || got.VerifiedAt.IsZero() || got.Manifest == nil || got.Manifest.Tables["payments"] != 1000 {
			t.Errorf("record after verify: %+v", got)
		}
	})
}
