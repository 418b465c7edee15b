package backup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

func mustIdentity(t *testing.T) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// damage changes the stored artifact of rec in place.
func damage(t *testing.T, f *fixture, rec *backup.Record, how string) {
	t.Helper()
	p := filepath.Join(f.destDir, rec.Artifact)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	switch how {
	case "flip":
		b[len(b)/2] ^= 0x01
	case "truncate":
		b = b[:len(b)-100]
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCorruptionIsDetected flips a byte and truncates an artifact, plain
// and encrypted: verification fails, names the file and says why, and the
// failure is recorded and alerted, on both catalog engines.
func TestCorruptionIsDetected(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		for _, tc := range []struct {
			name, how, want string
			encrypt         bool
		}{
			{"flip", "flip", "SHA-256 mismatch", false},
			{"truncate", "truncate", "size is", false},
			{"flip-encrypted", "flip", "SHA-256 mismatch", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				srcPath, _ := appDB(t, 500)
				var opts []option
				if tc.encrypt {
					opts = append(opts, withAge(mustIdentity(t)))
				}
				f := newFixture(t, db, srcPath, opts...)
				f.target.Name = "app" // one target per fixture
				ctx := context.Background()
				rec, err := f.mgr.Run(ctx, "app", backup.TriggerManual, nil)
				if err != nil {
					t.Fatal(err)
				}
				if tc.encrypt && !strings.HasSuffix(rec.Artifact, ".sqlite.zst.age") {
					t.Errorf("encrypted artifact named %q", rec.Artifact)
				}
				damage(t, f, rec, tc.how)
				_, err = f.mgr.Verify(ctx, rec.ID, nil)
				if err == nil {
					t.Fatal("verify passed on a damaged artifact")
				}
				if !strings.Contains(err.Error(), rec.Artifact) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q should name %s and say %q", err, rec.Artifact, tc.want)
				}
				got, _ := f.catalog.Get(ctx, rec.ID)
				if got.VerifyStatus != backup.VerifyFailed || !strings.Contains(got.VerifyError, tc.want) {
					t.Errorf("catalog: verify_status %s, error %q", got.VerifyStatus, got.VerifyError)
				}
				if a, ok := f.alerts.isFiring("BackupVerificationFailed", "app"); !ok || !strings.Contains(a.Annotations["description"], rec.Artifact) {
					t.Errorf("no BackupVerificationFailed alert naming the file: %+v", a)
				}
				// A restore refuses the damaged artifact and writes nothing.
				to := filepath.Join(t.TempDir(), "restored.db")
				if _, err := f.mgr.Restore(ctx, "app", rec.ID, to, false, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("restore of a damaged artifact: %v", err)
				}
				if fileExists(to) {
					t.Errorf("restore of a damaged artifact created %s", to)
				}
			})
		}
	})
}

// TestWrongKey restores with an age identity that is not the recipient:
// the error says so clearly and nothing at the destination is touched.
func TestWrongKey(t *testing.T) {
	srcPath, _ := appDB(t, 500)
	right, wrong := mustIdentity(t), mustIdentity(t)
	f := newFixture(t, catalogDB(t), srcPath, withAge(right))
	ctx := context.Background()
	rec, err := f.mgr.Run(ctx, "app", backup.TriggerManual, nil)
	if err != nil || rec.VerifyStatus != backup.VerifyPassed {
		t.Fatalf("backup with the right key: %v (%s)", err, rec.VerifyError)
	}
	f.target.Opener.Identities = []age.Identity{wrong}

	existing := filepath.Join(t.TempDir(), "existing.db")
	if err := os.WriteFile(existing, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = f.mgr.Restore(ctx, "app", "latest", existing, true, nil)
	if err == nil {
		t.Fatal("restore with the wrong key succeeded")
	}
	if !strings.Contains(err.Error(), "does not match the recipient") || !strings.Contains(err.Error(), rec.Artifact) {
		t.Errorf("unclear error: %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "precious" {
		t.Errorf("the wrong key changed the destination: %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(existing))
	if len(entries) != 1 {
		t.Errorf("restore left files behind: %v", entries)
	}
	if _, err := f.mgr.Verify(ctx, rec.ID, nil); err == nil || !strings.Contains(err.Error(), "does not match the recipient") {
		t.Errorf("verify with the wrong key: %v", err)
	}
	// No identity at all is a clear error too.
	f.target.Opener.Identities = nil
	if _, err := f.mgr.Verify(ctx, rec.ID, nil); err == nil || !strings.Contains(err.Error(), "no age identity") {
		t.Errorf("verify without a key: %v", err)
	}
}

// TestRestoreRefusesLiveSource never overwrites the live database without
// --force, nor an existing file.
func TestRestoreRefusesLiveSource(t *testing.T) {
	srcPath, app := appDB(t, 100)
	f := newFixture(t, catalogDB(t), srcPath)
	ctx := context.Background()
	if _, err := f.mgr.Run(ctx, "app", backup.TriggerManual, nil); err != nil {
		t.Fatal(err)
	}
	insertRows(t, app, 5)
	_, err := f.mgr.Restore(ctx, "app", "latest", srcPath, false, nil)
	if !errors.Is(err, backup.ErrLive) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over the live source: %v", err)
	}
	if n := countRows(t, srcPath, "payments"); n != 105 {
		t.Errorf("live source changed: %d rows", n)
	}
	other := filepath.Join(t.TempDir(), "other.db")
	os.WriteFile(other, []byte("x"), 0o600)
	if _, err := f.mgr.Restore(ctx, "app", "latest", other, false, nil); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("restore over an existing file: %v", err)
	}
	if _, err := f.mgr.Drill(ctx, "app", srcPath, nil); !errors.Is(err, backup.ErrLive) {
		t.Errorf("drill onto the live source: %v", err)
	}
}

// TestRestoreWithoutCatalog restores when the catalog is lost (Warden's own
// database is what needs restoring): the destination's manifests are read.
func TestRestoreWithoutCatalog(t *testing.T) {
	srcPath, _ := appDB(t, 200)
	f := newFixture(t, catalogDB(t), srcPath)
	ctx := context.Background()
	rec, err := f.mgr.Run(ctx, "app", backup.TriggerManual, nil)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(f.destDir, "app-garbage.manifest.json"), []byte("{not json"), 0o600)
	fresh := newFixture(t, catalogDB(t), srcPath) // an empty catalog
	fresh.target.Dest = f.target.Dest
	to := filepath.Join(t.TempDir(), "restored.db")
	res, err := fresh.mgr.Restore(ctx, "app", "latest", to, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.BackupID != rec.ID || countRows(t, to, "payments") != 200 {
		t.Errorf("restored %s with %d rows", res.BackupID, countRows(t, to, "payments"))
	}
	if _, err := fresh.mgr.Restore(ctx, "app", "2001-01-01", filepath.Join(t.TempDir(), "x.db"), false, nil); !errors.Is(err, backup.ErrNotFound) {
		t.Errorf("restore at a time before any backup: %v", err)
	}
}
