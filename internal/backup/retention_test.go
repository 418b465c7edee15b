package backup_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/clock"
)

func dailyYear() []backup.Record {
	var recs []backup.Record
	for d := time.Date(2025, 1, 1, 3, 0, 0, 0, time.UTC); d.Year() == 2025; d = d.AddDate(0, 0, 1) {
		recs = append(recs, backup.Record{ID: d.Format("2006-01-02"), StartedAt: d, Status: backup.StatusOK})
	}
	return recs
}

func ids(recs []backup.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	sort.Strings(out)
	return out
}

// TestRetentionOverAYear applies keep {last 3, daily 7, weekly 4, monthly
// 12} to a year of daily backups and checks exactly which survive.
func TestRetentionOverAYear(t *testing.T) {
	keep := backup.Keep{Last: 3, Daily: 7, Weekly: 4, Monthly: 12}
	kept, dropped := keep.Select(dailyYear(), "")
	want := []string{
		// monthly: the last backup of each month
		"2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30",
		"2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31", "2025-11-30",
		// weekly: the newest of ISO weeks 2025-W50, W51 (W52 and 2026-W01 fall in the daily range)
		"2025-12-14", "2025-12-21",
		// daily (and last 3, which they include)
		"2025-12-25", "2025-12-26", "2025-12-27", "2025-12-28", "2025-12-29", "2025-12-30", "2025-12-31",
	}
	if got := ids(kept); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("kept %d:\n%v\nwant %d:\n%v", len(got), got, len(want), want)
	}
	if len(kept)+len(dropped) != 365 {
		t.Errorf("kept %d + dropped %d != 365", len(kept), len(dropped))
	}

	// The newest verified backup survives whatever the rules say.
	kept, _ = keep.Select(dailyYear(), "2025-03-15")
	if got := ids(kept); len(got) != len(want)+1 || got[2] != "2025-03-15" {
		t.Errorf("protected backup not kept: %v", got)
	}
	// A zero policy keeps everything.
	if kept, dropped := (backup.Keep{}).Select(dailyYear(), ""); len(kept) != 365 || len(dropped) != 0 {
		t.Errorf("zero policy kept %d, dropped %d", len(kept), len(dropped))
	}
	// Only last.
	if kept, _ := (backup.Keep{Last: 2}).Select(dailyYear(), ""); strings.Join(ids(kept), " ") != "2025-12-30 2025-12-31" {
		t.Errorf("last 2 kept %v", ids(kept))
	}
}

// TestPruneDeletesFilesAndRecords runs daily backups on a fake clock with
// keep {last: 2} and checks that older artifacts, manifests and records go,
// and the record of a failure older than every kept backup with them.
func TestPruneDeletesFilesAndRecords(t *testing.T) {
	srcPath, _ := appDB(t, 50)
	f := newFixture(t, catalogDB(t), srcPath)
	f.target.Keep = backup.Keep{Last: 2}
	clk := clock.NewFake(time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC))
	mgr, err := backup.New(backup.Options{Targets: []*backup.Target{f.target}, Catalog: f.catalog, Alerts: f.alerts, Clock: clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Day 0 fails (the source is away), then four good days.
	os.Rename(srcPath, srcPath+".away")
	if _, err := mgr.Run(ctx, "app", backup.TriggerSchedule, nil); err == nil {
		t.Fatal("backup of a missing source succeeded")
	}
	os.Rename(srcPath+".away", srcPath)
	clk.Advance(24 * time.Hour)
	for i := 0; i < 4; i++ {
		if _, err := mgr.Run(ctx, "app", backup.TriggerSchedule, nil); err != nil {
			t.Fatal(err)
		}
		clk.Advance(24 * time.Hour)
	}
	recs, _ := mgr.List(ctx, backup.Filter{Target: "app"})
	if got := ids(recs); strings.Join(got, " ") != "app-20260304T030000Z app-20260305T030000Z" {
		t.Errorf("catalog keeps %v", got)
	}
	entries, _ := os.ReadDir(f.destDir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := "app-20260304T030000Z.manifest.json app-20260304T030000Z.sqlite.zst app-20260305T030000Z.manifest.json app-20260305T030000Z.sqlite.zst"
	if strings.Join(names, " ") != want {
		t.Errorf("destination holds %v", names)
	}
}

// TestStaleAndFailedAlerts raises BackupStale past max_age and BackupFailed
// when a backup fails, and resolves both once a backup succeeds.
func TestStaleAndFailedAlerts(t *testing.T) {
	srcPath, _ := appDB(t, 10)
	f := newFixture(t, catalogDB(t), srcPath)
	clk := clock.NewFake(time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC))
	mgr, err := backup.New(backup.Options{Targets: []*backup.Target{f.target}, Catalog: f.catalog, Alerts: f.alerts, Clock: clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if stale, _ := mgr.CheckStale(ctx); len(stale) != 0 {
		t.Errorf("stale right after start: %v", stale)
	}
	clk.Advance(27 * time.Hour)
	if stale, _ := mgr.CheckStale(ctx); len(stale) != 1 {
		t.Errorf("not stale after 27h without a backup")
	}
	if _, ok := f.alerts.isFiring("BackupStale", "app"); !ok {
		t.Error("BackupStale not raised")
	}
	// A failing backup (the source is gone) raises BackupFailed.
	os.Rename(srcPath, srcPath+".moved")
	rec, err := mgr.Run(ctx, "app", backup.TriggerSchedule, nil)
	if err == nil || rec.Status != backup.StatusFailed || !strings.Contains(rec.Error, "source database") {
		t.Fatalf("backup of a missing source: %v, %+v", err, rec)
	}
	if a, ok := f.alerts.isFiring("BackupFailed", "app"); !ok || a.Labels["severity"] != "critical" {
		t.Error("BackupFailed not raised")
	}
	os.Rename(srcPath+".moved", srcPath)
	if _, err := mgr.Run(ctx, "app", backup.TriggerSchedule, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.alerts.isFiring("BackupFailed", "app"); ok {
		t.Error("BackupFailed still firing after a good backup")
	}
	if _, ok := f.alerts.isFiring("BackupStale", "app"); ok {
		t.Error("BackupStale still firing after a good backup")
	}
	clk.Advance(25 * time.Hour)
	if stale, _ := mgr.CheckStale(ctx); len(stale) != 0 {
		t.Errorf("stale 25h after a backup with max_age 26h")
	}
	clk.Advance(2 * time.Hour)
	if stale, _ := mgr.CheckStale(ctx); len(stale) != 1 {
		t.Errorf("not stale 27h after the last backup")
	}
}

// TestDrillReport restores onto a separate location and reports RPO, RTO,
// integrity and row counts, recorded as a drill.
func TestDrillReport(t *testing.T) {
	srcPath, _ := appDB(t, 300)
	f := newFixture(t, catalogDB(t), srcPath)
	ctx := context.Background()
	rec, err := f.mgr.Run(ctx, "app", backup.TriggerManual, nil)
	if err != nil {
		t.Fatal(err)
	}
	chk, err := f.mgr.Drill(ctx, "app", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if chk.Kind != backup.KindDrill || chk.BackupID != rec.ID || chk.Report.Integrity != "ok" || chk.Report.Location == "" {
		t.Errorf("drill: %+v", chk)
	}
	if fileExists(chk.Report.Location) {
		t.Errorf("scratch location %s left behind", chk.Report.Location)
	}
	checks, _ := f.catalog.Checks(ctx, "app", 1)
	if len(checks) != 1 || checks[0].Kind != backup.KindDrill {
		t.Errorf("drill not recorded: %+v", checks)
	}
}
