package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/config"
)

func TestAuditCommands(t *testing.T) {
	dir := t.TempDir()
	cfgPath := writeFile(t, "warden.yaml", fmt.Sprintf("data_dir: %s\n", dir))
	ctx := context.Background()
	cfg, err := config.Load(cfgPath, false)
	if err != nil {
		t.Fatal(err)
	}
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := app.NewAuditService(cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc.Start(ctx)
	for i := range 6 {
		_, err := svc.Append(ctx, audit.Event{Actor: audit.Actor{Type: audit.ActorUser, ID: fmt.Sprintf("u-%d", i%2)},
			Action: "auth.login.success", Outcome: audit.Success, ClientIP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
	}
	svc.Stop(ctx)
	defer db.Close()

	code, out, errOut := runCLI(t, nil, "audit", "checkpoint", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "checkpoint: 6 events") {
		t.Fatalf("checkpoint: %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, nil, "audit", "verify", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "OK: events 0..5 (6)") {
		t.Fatalf("verify: %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, nil, "audit", "export", "--user", "u-1", "--config", cfgPath)
	if code != 0 || strings.Count(out, "\n") != 4 || strings.Contains(out, `"id":"u-0"`) { // 3 logins and the export itself
		t.Fatalf("user export: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, nil, "audit", "export", "--format", "csv", "--from", "2000-01-01", "--config", cfgPath)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || !strings.HasPrefix(lines[0], "seq,id,time") || len(lines) != 1+6+2 { // header, 6 logins, 2 exports
		t.Fatalf("csv export: %d\n%s", code, out)
	}
	if !strings.Contains(out, "admin.audit.export,admin,cli:") {
		t.Fatalf("export not recorded with the CLI user as actor:\n%s", out)
	}
	outFile := filepath.Join(t.TempDir(), "out.jsonl")
	if code, _, errOut := runCLI(t, nil, "audit", "export", "--output", outFile, "--config", cfgPath); code != 0 || !strings.Contains(errOut, "exported 9 events") {
		t.Fatalf("export to file: %d %s", code, errOut)
	}

	// Usage mistakes exit 2 and say what is wrong.
	for _, args := range [][]string{
		{"audit", "export", "--format", "pdf", "--config", cfgPath},
		{"audit", "export", "--from", "monday", "--config", cfgPath},
		{"audit", "frobnicate"},
		{"audit", "owner-sql"},
	} {
		if code, _, errOut := runCLI(t, nil, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	if code, out, _ := runCLI(t, nil, "audit", "owner-sql", "--app", "warden"); code != 0 || !strings.Contains(out, "ALTER TABLE audit_events OWNER TO warden_audit_owner") {
		t.Fatalf("owner-sql: %d %s", code, out)
	}

	// An erasure request: the user's events stay, chained, but no longer
	// name them; the trail still verifies.
	if code, out, errOut := runCLI(t, nil, "audit", "erase", "--user", "u-1", "--config", cfgPath); code != 0 || !strings.Contains(out, "erased") {
		t.Fatalf("erase: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "audit", "erase", "--user", "u-1", "--config", cfgPath); code != 1 || !strings.Contains(errOut, "already erased") {
		t.Fatalf("second erase: %d %s", code, errOut)
	}
	code, out, _ = runCLI(t, nil, "audit", "export", "--format", "csv", "--config", cfgPath)
	if code != 0 || strings.Contains(out, ",u-1,") || !strings.Contains(out, "admin.audit.subject_erase") {
		t.Fatalf("after erasure the export still names u-1 or lacks the erasure record:\n%s", out)
	}
	if code, out, errOut := runCLI(t, nil, "audit", "verify", "--config", cfgPath); code != 0 {
		t.Fatalf("verify after erasure: %d %s %s", code, out, errOut)
	}

	// Tampering makes verify exit 1 and name the event.
	for _, q := range []string{"DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET action = 'auth.logout' WHERE seq = 2"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errOut = runCLI(t, nil, "audit", "verify", "--config", cfgPath)
	if code != 1 || !strings.Contains(errOut, "FAILED: event 2 edited") {
		t.Fatalf("verify after tampering: %d %s", code, errOut)
	}
}
