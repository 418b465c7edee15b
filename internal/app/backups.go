package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/backup/backuphttp"
	"github.com/wardenhq/warden/internal/backup/backupsql"
	"github.com/wardenhq/warden/internal/backup/backupui"
	"github.com/wardenhq/warden/internal/backup/dest"
	"github.com/wardenhq/warden/internal/backup/pgsrc"
	"github.com/wardenhq/warden/internal/backup/sqlitesrc"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/schedule"
	"github.com/wardenhq/warden/internal/store"
)

// staleCheckEvery is how often max_age is checked against the catalog.
const staleCheckEvery = 5 * time.Minute

// BackupJobName is the scheduler job that backs up target; the API and
// the CLI run it through the scheduler so one instance runs it at a time.
func BackupJobName(target string) string { return "backup:" + target }

// NewBackups builds the backup manager from the configuration: the
// built-in "warden" target for Warden's own state first, then the
// configured ones. The CLI uses it too.
func NewBackups(cfg *config.Config, db *store.DB, alerts alert.Raiser, logger *slog.Logger) (*backup.Manager, error) {
	work := filepath.Join(cfg.DataDir, "backup-work")
	if err := os.MkdirAll(work, 0o700); err != nil {
		return nil, fmt.Errorf("backups: %w", err)
	}
	var targets []*backup.Target
	for i, bc := range cfg.BackupTargets() {
		t, err := newTarget(cfg, db, bc, work)
		if err != nil {
			return nil, fmt.Errorf("backups[%d] (%s): %w", i, bc.Name, err)
		}
		targets = append(targets, t)
	}
	return backup.New(backup.Options{
		Targets: targets, Catalog: backupsql.New(db), Alerts: alerts, Logger: logger,
		WorkDir: work, Version: Version, Environment: cfg.Environment,
	})
}

func newTarget(cfg *config.Config, db *store.DB, bc config.Backup, work string) (*backup.Target, error) {
	t := &backup.Target{
		Name:   bc.Name,
		Keep:   backup.Keep{Last: bc.Keep.Last, Daily: bc.Keep.Daily, Weekly: bc.Keep.Weekly, Monthly: bc.Keep.Monthly},
		MaxAge: bc.MaxAge.Std(),
		Verify: *bc.Verify,
		Sealer: backup.Sealer{Level: bc.Compression},
	}
	switch {
	case bc.SQLite != "":
		t.Source = &sqlitesrc.Source{Path: bc.SQLite, WorkDir: work}
	case bc.Postgres.Value() != "":
		t.Source = &pgsrc.Source{URL: bc.Postgres.Value(), ScratchURL: bc.ScratchURL.Value(), BinDir: bc.PGBinDir}
	case db.Dialect == store.SQLite: // the built-in target: Warden's own state
		t.Source = &sqlitesrc.Source{Path: db.Path, WorkDir: work}
		t.PostCheck = auditPostCheck(cfg, store.SQLite)
	default:
		t.Source = &pgsrc.Source{URL: cfg.Database.URL.Value(), ScratchURL: bc.ScratchURL.Value(), BinDir: bc.PGBinDir}
		t.PostCheck = auditPostCheck(cfg, store.Postgres)
	}
	if bc.IsS3() {
		bucket, prefix, err := dest.ParseS3URL(bc.Destination)
		if err != nil {
			return nil, err
		}
		s3, err := dest.NewS3(dest.S3Options{
			Endpoint: bc.S3.Endpoint, Region: bc.S3.Region, AccessKeyID: bc.S3.AccessKeyID.Value(),
			SecretAccessKey: bc.S3.SecretAccessKey.Value(), Insecure: bc.S3.Insecure,
			Bucket: bucket, Prefix: prefix, PartSize: uint64(bc.S3.PartSize),
		})
		if err != nil {
			return nil, err
		}
		t.Dest = s3
	} else {
		t.Dest = &dest.Local{Dir: bc.Destination}
	}
	for _, r := range bc.Encryption.Recipients {
		rec, err := age.ParseX25519Recipient(r)
		if err != nil {
			return nil, err
		}
		t.Sealer.Recipients = append(t.Sealer.Recipients, rec)
	}
	if bc.Encryption.IdentityFile != "" {
		ids, err := ReadIdentities(bc.Encryption.IdentityFile)
		if err != nil {
			return nil, err
		}
		t.Opener.Identities = ids
	}
	return t, nil
}

// ReadIdentities reads age identities (age-keygen output) from a file.
func ReadIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("encryption.identity_file: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, fmt.Errorf("encryption.identity_file %s: %w", path, err)
	}
	return ids, nil
}

// wireBackups registers a job per target, the staleness check, and the API.
func (a *App) wireBackups(ctx context.Context) error {
	mgr, err := NewBackups(a.Config, a.DB, a.Alerts, a.Logger)
	if err != nil {
		return err
	}
	removeStaleWork(filepath.Join(a.Config.DataDir, "backup-work"), 24*time.Hour, a.Logger)
	scheduled := map[string]bool{}
	timeouts := map[string]time.Duration{}
	for _, bc := range a.Config.BackupTargets() {
		timeouts[bc.Name] = bc.Timeout.Std()
		if bc.Schedule == config.ScheduleManual {
			continue
		}
		sched, err := schedule.Cron(bc.Schedule)
		if err != nil {
			return fmt.Errorf("backups %s: %w", bc.Name, err)
		}
		scheduled[bc.Name] = true
		name := bc.Name
		if err := a.Scheduler.Add(schedule.Job{
			Name: BackupJobName(name), Schedule: sched, Timeout: bc.Timeout.Std(),
			Run: func(ctx context.Context) error {
				trigger := backup.TriggerManual
				if _, ok := schedule.Slot(ctx); ok {
					trigger = backup.TriggerSchedule
				}
				_, err := mgr.Run(ctx, name, trigger, nil)
				return err
			},
		}); err != nil {
			return err
		}
	}
	if err := a.Scheduler.Add(schedule.Job{
		Name: "backup:staleness", Schedule: schedule.Every(staleCheckEvery), Timeout: time.Minute,
		Run: func(ctx context.Context) error { _, err := mgr.CheckStale(ctx); return err },
	}); err != nil {
		return err
	}
	locker := schedule.NewLocker(a.DB)
	h := &backuphttp.Handlers{
		Manager: mgr,
		Run: func(ctx context.Context, target string) error {
			// A backup started over the API finishes even if the caller
			// hangs up; the target's timeout and shutdown still bound it.
			ctx = context.WithoutCancel(ctx)
			if scheduled[target] {
				return a.Scheduler.RunNow(ctx, BackupJobName(target))
			}
			// A manual-only target has no job; take the lock a job would.
			release, ok, err := locker.TryLock(ctx, BackupJobName(target))
			if err != nil {
				return err
			}
			if !ok {
				return schedule.ErrBusy
			}
			defer release()
			ctx, cancel := context.WithTimeout(ctx, timeouts[target])
			defer cancel()
			_, err = mgr.Run(ctx, target, backup.TriggerManual, nil)
			return err
		},
		Schedules: func() map[string]string {
			out := map[string]string{}
			for _, bc := range a.Config.BackupTargets() {
				out[bc.Name] = bc.Schedule
			}
			return out
		},
	}
	h.Register(a.API)
	page := &backupui.Page{Manager: mgr, UI: a.UI, Schedules: h.Schedules()}
	return page.Register()
}

// removeStaleWork deletes temporary directories a crashed backup left
// behind. Only old ones go: a CLI backup may be running beside serve.
func removeStaleWork(dir string, olderThan time.Duration, logger *slog.Logger) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() || time.Since(info.ModTime()) < olderThan {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			logger.Warn("remove stale backup work directory", "dir", e.Name(), "error", err)
		}
	}
}
