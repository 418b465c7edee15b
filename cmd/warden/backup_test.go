package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

func backupCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.LookupEnv})
	return code, out.String(), errb.String()
}

// TestBackupCLI drives warden backup run, list, verify, restore and drill
// on an encrypted SQLite target, in-process.
func TestBackupCLI(t *testing.T) {
	dir := t.TempDir()
	appPath := filepath.Join(dir, "app.db")
	db, err := sql.Open("sqlite", appPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER)`, `INSERT INTO orders (total) VALUES (1), (2), (3)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	id, _ := age.GenerateX25519Identity()
	keyFile := filepath.Join(dir, "backup.key")
	os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600)
	cfgPath := filepath.Join(dir, "warden.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`data_dir: %s/data
backups:
  - name: app
    sqlite: %s
    destination: %s/backups
    encryption: { recipients: [%s], identity_file: %s }
`, dir, appPath, dir, id.Recipient(), keyFile)), 0o600)

	code, out, errs := backupCLI(t, "backup", "run", "app", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, ".sqlite.zst.age") || !strings.Contains(out, "verify passed") {
		t.Fatalf("run: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = backupCLI(t, "backup", "list", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "app-") || !strings.Contains(out, "passed") {
		t.Errorf("list: %d\n%s", code, out)
	}
	code, out, errs = backupCLI(t, "backup", "verify", "app", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "PASSED") || !strings.Contains(out, "decrypted:  yes") {
		t.Errorf("verify: %d\n%s\n%s", code, out, errs)
	}
	to := filepath.Join(dir, "restored.db")
	code, out, errs = backupCLI(t, "backup", "restore", "app", "--to", to, "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "restored app-") || !strings.Contains(out, "orders") {
		t.Errorf("restore: %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = backupCLI(t, "backup", "restore", "app", "--to", appPath, "--config", cfgPath)
	if code != 1 || !strings.Contains(errs, "refusing to restore over the live source") {
		t.Errorf("restore over the live source: %d %s", code, errs)
	}
	wrong, _ := age.GenerateX25519Identity()
	wrongFile := filepath.Join(dir, "wrong.key")
	os.WriteFile(wrongFile, []byte(wrong.String()+"\n"), 0o600)
	code, _, errs = backupCLI(t, "backup", "restore", "app", "--to", filepath.Join(dir, "r2.db"), "--identity", wrongFile, "--config", cfgPath)
	if code != 1 || !strings.Contains(errs, "does not match the recipient") {
		t.Errorf("restore with the wrong key: %d %s", code, errs)
	}
	report := filepath.Join(dir, "drill.json")
	code, out, errs = backupCLI(t, "backup", "drill", "app", "--report", report, "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "RTO") || !strings.Contains(out, "RPO") {
		t.Errorf("drill: %d\n%s\n%s", code, out, errs)
	}
	if b, err := os.ReadFile(report); err != nil || !strings.Contains(string(b), `"kind": "drill"`) {
		t.Errorf("drill report: %v %s", err, b)
	}
	if code, _, errs := backupCLI(t, "backup", "restore", "--config", cfgPath); code != 2 || !strings.Contains(errs, "TARGET") {
		t.Errorf("restore without a target: %d %s", code, errs)
	}
	if code, _, errs := backupCLI(t, "backup", "run", "nope", "--config", cfgPath); code != 1 || !strings.Contains(errs, `"nope"`) {
		t.Errorf("unknown target: %d %s", code, errs)
	}
}

// TestBackupDrillOfWardenCLI: warden backup drill warden reports the audit
// trail of the restored copy as verified.
func TestBackupDrillOfWardenCLI(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "warden.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf("data_dir: %s/data\n", dir)), 0o600)
	if code, out, errs := backupCLI(t, "backup", "run", "warden", "--config", cfgPath); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := backupCLI(t, "backup", "drill", "warden", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "audit trail: verified") {
		t.Errorf("drill: %d\n%s\n%s", code, out, errs)
	}
}
