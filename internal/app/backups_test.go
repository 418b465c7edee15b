package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/config"
)

func backupsAPICall(t *testing.T, a *App, method, path, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, a.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// TestBackupsAPI configures an app database as a target in warden serve,
// then runs, lists and verifies backups of it and of Warden's own state
// through the API, with the scopes the design names.
func TestBackupsAPI(t *testing.T) {
	cfg := testConfig(t)
	appPath := filepath.Join(t.TempDir(), "app.db")
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
	cfg.Backups = []config.Backup{
		{Name: "app", SQLite: appPath, Schedule: "0 3 * * *", Destination: filepath.Join(t.TempDir(), "b")},
		{Name: "gone", SQLite: filepath.Join(t.TempDir(), "missing.db"), Schedule: "manual"},
	}
	a := startTestApp(t, cfg)
	admin, reader := tokenWithout[config.ScopeAudit], tokenWithout[config.ScopeAdmin]

	// The scheduler runs each scheduled target and the staleness check.
	jobs, err := a.Scheduler.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sched := map[string]string{}
	for _, j := range jobs {
		sched[j.Name] = j.Schedule
	}
	if sched["backup:app"] != "0 3 * * *" || sched["backup:warden"] != "30 2 * * *" || sched["backup:staleness"] == "" || sched["backup:gone"] != "" {
		t.Errorf("scheduled jobs %v", sched)
	}

	// A failed backup answers 500 naming why and raises BackupFailed
	// through the alert router.
	code, body := backupsAPICall(t, a, "POST", "/api/v1/backups/gone/run", admin)
	if code != http.StatusInternalServerError || !strings.Contains(body["error"].(string), "missing.db") {
		t.Errorf("failing backup: %d %v", code, body)
	}
	raised := false
	for _, al := range a.Alerts.Firing() {
		if al.Labels["alertname"] == "BackupFailed" && al.Labels["target"] == "gone" {
			raised = true
		}
	}
	if !raised {
		t.Error("no BackupFailed alert in the router")
	}

	if code, _ := backupsAPICall(t, a, "POST", "/api/v1/backups/app/run", reader); code != http.StatusForbidden {
		t.Errorf("run with a read-only token: %d", code)
	}
	code, body = backupsAPICall(t, a, "POST", "/api/v1/backups/app/run", admin)
	if code != http.StatusOK {
		t.Fatalf("run: %d %v", code, body)
	}
	rec := body["backup"].(map[string]any)
	if rec["status"] != "ok" || rec["verify_status"] != "passed" || !strings.HasPrefix(rec["artifact"].(string), "app-") {
		t.Errorf("run answered %v", rec)
	}
	if code, body := backupsAPICall(t, a, "POST", "/api/v1/backups/warden/run", admin); code != http.StatusOK || body["backup"].(map[string]any)["verify_status"] != "passed" {
		t.Errorf("backup of Warden's own state: %d %v", code, body)
	}
	if code, body := backupsAPICall(t, a, "POST", "/api/v1/backups/nope/run", admin); code != http.StatusNotFound || !strings.Contains(body["error"].(string), "nope") {
		t.Errorf("unknown target: %d %v", code, body)
	}

	code, body = backupsAPICall(t, a, "GET", "/api/v1/backups", reader)
	if code != http.StatusOK {
		t.Fatalf("list: %d %v", code, body)
	}
	if n := len(body["backups"].([]any)); n != 3 {
		t.Errorf("listed %d backups, want 3 (one failed)", n)
	}
	targets := body["targets"].([]any)
	if len(targets) != 3 || targets[0].(map[string]any)["name"] != "warden" || targets[1].(map[string]any)["schedule"] != "0 3 * * *" {
		t.Errorf("targets %v", targets)
	}
	if code, _ := backupsAPICall(t, a, "GET", "/api/v1/backups?limit=0", reader); code != http.StatusBadRequest {
		t.Errorf("limit=0 answered %d", code)
	}

	code, body = backupsAPICall(t, a, "POST", "/api/v1/backups/app/verify", admin)
	if code != http.StatusOK || body["passed"] != true {
		t.Errorf("verify: %d %v", code, body)
	}
	if code, _ := backupsAPICall(t, a, "POST", "/api/v1/backups/app/verify?id=app-19700101T000000Z", admin); code != http.StatusNotFound {
		t.Errorf("verify of an unknown id: %d", code)
	}
}

func TestRemoveStaleWork(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, "warden-backup-old"), filepath.Join(dir, "warden-backup-new")
	os.MkdirAll(old, 0o700)
	os.MkdirAll(fresh, 0o700)
	os.Chtimes(old, time.Now().Add(-48*time.Hour), time.Now().Add(-48*time.Hour))
	removeStaleWork(dir, 24*time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stale directory kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh directory removed: %v", err)
	}
}
