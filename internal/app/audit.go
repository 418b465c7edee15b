package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/audit/audithttp"
	"github.com/wardenhq/warden/internal/audit/auditsql"
	"github.com/wardenhq/warden/internal/audit/auditui"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/schedule"
	"github.com/wardenhq/warden/internal/scrub"
	"github.com/wardenhq/warden/internal/store"
)

// AuditKeyFile and AuditCheckpointFile resolve the audit paths the config
// leaves to their defaults in data_dir.
func AuditKeyFile(cfg *config.Config) string {
	if cfg.Audit.SigningKeyFile != "" {
		return cfg.Audit.SigningKeyFile
	}
	return filepath.Join(cfg.DataDir, "audit.key")
}

// AuditCheckpointFile is where checkpoints are published as JSON lines.
func AuditCheckpointFile(cfg *config.Config) string {
	if cfg.Audit.CheckpointFile != "" {
		return cfg.Audit.CheckpointFile
	}
	return filepath.Join(cfg.DataDir, "audit-checkpoints.jsonl")
}

// NewAuditService builds the audit trail from the configuration: the
// taxonomy, the signing key (created when missing), the publishers and
// scrubbing of details. The CLI uses it too. Call Start before appending.
func NewAuditService(cfg *config.Config, db *store.DB, logger *slog.Logger) (*audit.Service, error) {
	tax, err := audit.NewTaxonomy(cfg.Audit.Actions, cfg.Audit.AllowFreeActions)
	if err != nil {
		return nil, fmt.Errorf("audit.actions: %w", err)
	}
	signer, created, err := audit.LoadOrCreateSigner(AuditKeyFile(cfg))
	if err != nil {
		return nil, err
	}
	if created && logger != nil {
		logger.Warn("created a new audit signing key; back it up and keep it off the database host", "file", AuditKeyFile(cfg), "key_id", signer.KeyID())
	}
	cpFile := AuditCheckpointFile(cfg)
	pubs := []audit.Publisher{&audit.FilePublisher{Path: cpFile}}
	if u := cfg.Audit.CheckpointWebhook.Value(); u != "" {
		pubs = append(pubs, &audit.WebhookPublisher{URL: u})
	}
	return audit.New(audit.Options{
		Store: auditsql.New(db), Clock: clock.Real{}, Taxonomy: tax, Scrub: scrub.Map,
		QueueSize: cfg.Audit.QueueSize, Retention: cfg.Audit.Retention.Std(),
		Signer: signer, Publishers: pubs, CheckpointFile: cpFile, Logger: logger,
	})
}

// Audit alert labels: raised when a scheduled verification fails, resolved
// when one passes again.
var auditVerifyAlert = alert.Labels{alert.LabelAlertName: "AuditTrailVerifyFailed", alert.LabelSource: "audit", alert.LabelSeverity: "critical"}

// wireAudit builds the trail, its API and page, and its scheduled
// checkpoint, verification and retention jobs.
func (a *App) wireAudit(ctx context.Context) error {
	svc, err := NewAuditService(a.Config, a.DB, a.Logger)
	if err != nil {
		return err
	}
	a.Audit = svc
	(&audithttp.Handlers{Service: svc}).Register(a.API)
	page := &auditui.Page{Service: svc, UI: a.UI}
	if err := page.Register(); err != nil {
		return err
	}
	var raiser alert.Raiser = alert.Discard{}
	if a.Alerts != nil {
		raiser = a.Alerts
	}
	jobs := []schedule.Job{
		{Name: "audit:checkpoint", Schedule: schedule.Every(a.Config.Audit.CheckpointInterval.Std()), Timeout: 10 * time.Minute, Run: svc.Checkpoint},
		{Name: "audit:verify", Schedule: schedule.Every(a.Config.Audit.VerifyInterval.Std()), Timeout: time.Hour,
			Run: func(ctx context.Context) error { return VerifyAudit(ctx, svc, raiser) }},
		{Name: "audit:retention", Schedule: schedule.Every(24 * time.Hour), Timeout: time.Hour,
			Run: func(ctx context.Context) error { _, err := svc.ApplyRetention(ctx); return err }},
	}
	for _, j := range jobs {
		if err := a.Scheduler.Add(j); err != nil {
			return err
		}
	}
	a.onStart = append(a.onStart, func(ctx context.Context) error {
		if err := svc.Start(ctx); err != nil {
			return err
		}
		// Registered after the listener's drain: requests in flight still
		// get their events chained before the writer stops.
		a.OnStop("audit trail", svc.Stop)
		return nil
	})
	return nil
}

// VerifyAudit verifies the whole trail and raises the critical
// AuditTrailVerifyFailed alert when it fails (naming the first problem), or
// resolves it when it passes.
func VerifyAudit(ctx context.Context, svc *audit.Service, raiser alert.Raiser) error {
	rep, err := svc.Verify(ctx)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if rep.OK {
		return raiser.Resolve(ctx, auditVerifyAlert, time.Now())
	}
	now := time.Now()
	rerr := raiser.Raise(ctx, alert.Alert{
		Labels: auditVerifyAlert,
		Annotations: alert.Labels{
			"summary":     "The audit trail failed verification: it was tampered with or damaged",
			"description": rep.Problem.Error(),
		},
		StartsAt: now, UpdatedAt: now, GeneratorURL: "/ui/audit",
	})
	return errors.Join(fmt.Errorf("audit trail failed verification: %v", rep.Problem), rerr)
}

// recordAdmin records an admin action of another part (a silence created or
// expired) in the audit trail; it is bound late, so parts wired before the
// trail can take it.
func (a *App) recordAdmin(ctx context.Context, action, target string, details map[string]any) {
	if a.Audit != nil {
		a.Audit.AdminFunc()(ctx, action, target, details)
	}
}
