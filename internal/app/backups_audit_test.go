package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/backup"
)

// A drill (and verification) of Warden's own state verifies the audit
// trail of the restored copy: it passes on an untouched trail, and fails,
// naming the edited event, on a backup whose trail was tampered with even
// after the live trail was put back (so it is the copy that is checked).
func TestDrillOfWardenVerifiesTheRestoredAuditTrail(t *testing.T) {
	cfg := testConfig(t)
	cfg.Audit.Actions = []string{"loan.applied"}
	a := startTestApp(t, cfg)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if _, err := a.Audit.Append(ctx, audit.Event{Actor: audit.Actor{Type: audit.ActorUser, ID: "u-1"}, Action: "loan.applied", Outcome: audit.Success}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Audit.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	mgr, err := NewBackups(cfg, a.DB, a.Alerts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}

	rec, err := mgr.Run(ctx, "warden", backup.TriggerManual, nil)
	if err != nil || rec.VerifyStatus != backup.VerifyPassed {
		t.Fatalf("backup of an untouched trail: %v %+v", err, rec)
	}
	chk, err := mgr.Drill(ctx, "warden", "", nil)
	if err != nil {
		t.Fatalf("drill of an untouched trail: %v", err)
	}
	if got := chk.Report.Extra[AuditTrailCheck]; !strings.HasPrefix(got, "verified: ") || !strings.Contains(got, "checkpoints") {
		t.Fatalf("drill report's audit trail check: %q (report %+v)", got, chk.Report)
	}

	// Tamper with an event the way a database superuser could, back that
	// up, then put the live row back so only the backup is tampered.
	var outcome string
	if err := a.DB.QueryRowContext(ctx, "SELECT outcome FROM audit_events WHERE seq = 1").Scan(&outcome); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET outcome = 'failure' WHERE seq = 1"} {
		if _, err := a.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	rec, err = mgr.Run(ctx, "warden", backup.TriggerManual, nil)
	if err == nil || rec == nil || rec.VerifyStatus != backup.VerifyFailed || !strings.Contains(rec.VerifyError, "event 1 edited") {
		t.Fatalf("verification of a backup with a tampered trail: %v %+v", err, rec)
	}
	if _, err := a.DB.ExecContext(ctx, "UPDATE audit_events SET outcome = ? WHERE seq = 1", outcome); err != nil {
		t.Fatal(err)
	}
	if rep, err := a.Audit.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("the live trail, put back, should verify: %v %+v", err, rep)
	}

	chk, err = mgr.Drill(ctx, "warden", "", nil)
	if err == nil || !strings.Contains(err.Error(), "audit trail") || !strings.Contains(err.Error(), "event 1 edited") {
		t.Fatalf("drill of a tampered backup: %v", err)
	}
	if got := chk.Report.Extra[AuditTrailCheck]; !strings.HasPrefix(got, "FAILED: event 1 edited") {
		t.Fatalf("drill report's audit trail check: %q", got)
	}
	if chk.Report.Integrity != "ok" || chk.Report.Checksums != "ok" {
		t.Fatalf("only the audit check should fail: %+v", chk.Report)
	}
}
