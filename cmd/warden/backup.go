package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"filippo.io/age"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/schedule"
	"github.com/wardenhq/warden/internal/store"
)

const backupUsage = `usage:
  warden backup run [TARGET...] [--config F]          take a backup now (every target without TARGET), verify it, apply retention
  warden backup list [TARGET] [--limit N] [--json]     backups with their verification status
  warden backup verify [TARGET] [--id ID]              verify the newest backup of each target (or one backup)
  warden backup restore TARGET --to PATH|URL [--at latest|ID|TIME] [--force] [--identity FILE]
  warden backup drill TARGET [--to PATH|URL] [--report FILE] [--json]
targets: "warden" is Warden's own state; the others are the config's backups: list`

func runBackup(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, "backup", backupUsage, map[string]subcommand{
		"run":     backupRun,
		"list":    backupList,
		"verify":  backupVerify,
		"restore": backupRestore,
		"drill":   backupDrill,
	}, args, e)
}

// parseInterleaved parses flags that may come before or after positional
// arguments (warden backup restore app --to x), returning the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string, synopsis string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args, synopsis); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

type backupEnv struct {
	db     *store.DB
	mgr    *backup.Manager
	locker schedule.Locker
}

func openBackups(ctx context.Context, path string, given bool, e env) (*backupEnv, error) {
	// Alerts go through the router's store; a running Warden's router
	// picks them up and notifies.
	a, err := openAlerts(ctx, path, given, e)
	if err != nil {
		return nil, err
	}
	cfg, db, router := a.cfg, a.db, a.router
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mgr, err := app.NewBackups(cfg, db, router, logger)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &backupEnv{db: db, mgr: mgr, locker: schedule.NewLocker(db)}, nil
}

// progressPrinter shows long stages on stderr.
func progressPrinter(e env) backup.Progress {
	last := time.Time{}
	var lastStage string
	var lastDone int64 = -1
	return func(stage string, done, total int64) {
		if stage == lastStage && (done == lastDone || (time.Since(last) < time.Second && done != total)) {
			return
		}
		last, lastStage, lastDone = time.Now(), stage, done
		if total > 0 {
			fmt.Fprintf(e.stderr, "  %s: %s of %s (%d%%)\n", stage, humanBytes(done), humanBytes(total), done*100/total)
		} else if done > 0 {
			fmt.Fprintf(e.stderr, "  %s: %s\n", stage, humanBytes(done))
		} else {
			fmt.Fprintf(e.stderr, "  %s...\n", stage)
		}
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func targetNames(mgr *backup.Manager, given []string) ([]string, error) {
	if len(given) > 0 {
		for _, n := range given {
			if _, err := mgr.Target(n); err != nil {
				return nil, err
			}
		}
		return given, nil
	}
	var out []string
	for _, t := range mgr.Targets() {
		out = append(out, t.Name)
	}
	return out, nil
}

func backupRun(ctx context.Context, args []string, e env) error {
	const synopsis = "warden backup run [TARGET...] [--config warden.yaml]"
	fs := newFlagSet("backup run", synopsis, e)
	path := configFlag(fs)
	pos, err := parseInterleaved(fs, args, synopsis)
	if err != nil {
		return err
	}
	be, err := openBackups(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer be.db.Close()
	names, err := targetNames(be.mgr, pos)
	if err != nil {
		return err
	}
	failed := 0
	for _, name := range names {
		fmt.Fprintf(e.stderr, "backing up %s...\n", name)
		// The lock a running Warden's scheduler takes for the same job.
		release, ok, err := be.locker.TryLock(ctx, app.BackupJobName(name))
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(e.stderr, "%s: a backup is already running on another instance; skipped\n", name)
			failed++
			continue
		}
		rec, err := be.mgr.Run(ctx, name, backup.TriggerManual, progressPrinter(e))
		release()
		if rec != nil {
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\tverify %s\t%dms\n", rec.ID, rec.Status, rec.Artifact, humanBytes(rec.Size), rec.VerifyStatus, rec.DurationMS)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
			failed++
		}
	}
	if failed > 0 {
		return errReported
	}
	return nil
}

func backupList(ctx context.Context, args []string, e env) error {
	const synopsis = "warden backup list [TARGET] [--limit N] [--json] [--config warden.yaml]"
	fs := newFlagSet("backup list", synopsis, e)
	path := configFlag(fs)
	limit := fs.Int("limit", 50, "show at most this many backups")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args, synopsis)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("list takes at most one TARGET\nusage: %s", synopsis)
	}
	be, err := openBackups(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer be.db.Close()
	f := backup.Filter{Limit: *limit}
	if len(pos) == 1 {
		if _, err := be.mgr.Target(pos[0]); err != nil {
			return err
		}
		f.Target = pos[0]
	}
	recs, err := be.mgr.List(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		if recs == nil {
			recs = []backup.Record{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"backups": recs})
	}
	if len(recs) == 0 {
		fmt.Fprintln(e.stdout, "no backups yet (take one with: warden backup run)")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tVERIFIED\tSIZE\tRAW\tTOOK\tSTARTED\tERROR")
	for _, r := range recs {
		msg := r.Error
		if msg == "" {
			msg = r.VerifyError
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%dms\t%s\t%s\n", r.ID, r.Status, r.VerifyStatus, humanBytes(r.Size), humanBytes(r.RawSize),
			r.DurationMS, r.StartedAt.Format(time.RFC3339), shortLine(msg))
	}
	return tw.Flush()
}

func shortLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func backupVerify(ctx context.Context, args []string, e env) error {
	const synopsis = "warden backup verify [TARGET...] [--id ID] [--config warden.yaml]"
	fs := newFlagSet("backup verify", synopsis, e)
	path := configFlag(fs)
	id := fs.String("id", "", "verify this backup (default: the newest good backup of each target)")
	pos, err := parseInterleaved(fs, args, synopsis)
	if err != nil {
		return err
	}
	be, err := openBackups(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer be.db.Close()
	var ids []string
	if *id != "" {
		ids = []string{*id}
	} else {
		names, err := targetNames(be.mgr, pos)
		if err != nil {
			return err
		}
		for _, n := range names {
			rec, err := be.mgr.Latest(ctx, n, false)
			if errors.Is(err, backup.ErrNotFound) {
				fmt.Fprintf(e.stderr, "%s: no good backup to verify\n", n)
				continue
			}
			if err != nil {
				return err
			}
			ids = append(ids, rec.ID)
		}
	}
	failed := 0
	for _, bid := range ids {
		chk, err := be.mgr.Verify(ctx, bid, progressPrinter(e))
		if chk != nil {
			printReport(e.stdout, chk)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: verification FAILED: %v\n", bid, err)
			failed++
		}
	}
	if failed > 0 {
		return errReported
	}
	return nil
}

func printReport(w io.Writer, c *backup.Check) {
	r := c.Report
	fmt.Fprintf(w, "%s %s of %s: %s (%dms)\n", c.Kind, c.ID, c.BackupID, strings.ToUpper(c.Status), c.DurationMS)
	fmt.Fprintf(w, "  artifact:   %s\n  checksums:  %s\n", r.Artifact, r.Checksums)
	if r.Decrypted {
		fmt.Fprintln(w, "  decrypted:  yes (age)")
	}
	if r.Location != "" {
		fmt.Fprintf(w, "  restored:   %s in %dms (RTO)\n", backup.RedactURL(r.Location), r.RestoreMS)
	}
	if r.Integrity != "" {
		fmt.Fprintf(w, "  integrity:  %s\n", r.Integrity)
	}
	if !r.SnapshotAt.IsZero() {
		fmt.Fprintf(w, "  snapshot:   %s (RPO %s at check time)\n", r.SnapshotAt.Format(time.RFC3339), (time.Duration(r.RPOSeconds) * time.Second).String())
	}
	for _, t := range r.Tables {
		mark := "ok"
		if !t.OK {
			mark = "MISMATCH"
		}
		fmt.Fprintf(w, "  table %-30s %10d rows (manifest %d) %s\n", t.Table, t.Got, t.Want, mark)
	}
	keys := make([]string, 0, len(r.Extra))
	for k := range r.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %s\n", k, r.Extra[k])
	}
	if c.Error != "" {
		fmt.Fprintf(w, "  error:      %s\n", c.Error)
	}
}

func backupRestore(ctx context.Context, args []string, e env) error {
	const synopsis = "warden backup restore TARGET --to PATH|URL [--at latest|ID|TIME] [--force] [--identity FILE] [--config warden.yaml]"
	fs := newFlagSet("backup restore", synopsis, e)
	path := configFlag(fs)
	to := fs.String("to", "", "where to restore: a file path (SQLite) or a postgres:// URL")
	at := fs.String("at", "latest", "which backup: latest, a backup id, or a time (the newest backup at or before it)")
	force := fs.Bool("force", false, "allow replacing an existing file or database, even the live source (stop the app first)")
	identity := fs.String("identity", "", "age identity file to decrypt with (default: the target's encryption.identity_file)")
	pos, err := parseInterleaved(fs, args, synopsis)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("restore needs exactly one TARGET\nusage: %s", synopsis)
	}
	if *to == "" {
		return usagef("restore needs --to PATH or --to postgres://...\nusage: %s", synopsis)
	}
	be, err := openBackups(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer be.db.Close()
	if *identity != "" {
		if err := useIdentity(be.mgr, pos[0], *identity); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stderr, "restoring %s (%s) to %s...\n", pos[0], *at, backup.RedactURL(*to))
	res, err := be.mgr.Restore(ctx, pos[0], *at, *to, *force, progressPrinter(e))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s (%s, snapshot %s) to %s in %s\n", res.BackupID, res.Artifact,
		res.SnapshotAt.Format(time.RFC3339), res.To, res.Duration.Round(time.Millisecond))
	for _, t := range sortedTables(res.Tables) {
		fmt.Fprintf(e.stdout, "  table %-30s %10d rows\n", t, res.Tables[t])
	}
	return nil
}

func useIdentity(mgr *backup.Manager, target, file string) error {
	t, err := mgr.Target(target)
	if err != nil {
		return err
	}
	ids, err := app.ReadIdentities(file)
	if err != nil {
		return err
	}
	t.Opener.Identities = append([]age.Identity(nil), ids...)
	return nil
}

func sortedTables(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func backupDrill(ctx context.Context, args []string, e env) error {
	const synopsis = "warden backup drill TARGET [--to PATH|URL] [--report FILE] [--json] [--config warden.yaml]"
	fs := newFlagSet("backup drill", synopsis, e)
	path := configFlag(fs)
	to := fs.String("to", "", "restore onto this separate location and keep it (default: a scratch location, removed after)")
	reportFile := fs.String("report", "", "also write the report as JSON to this file")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pos, err := parseInterleaved(fs, args, synopsis)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("drill needs exactly one TARGET\nusage: %s", synopsis)
	}
	be, err := openBackups(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer be.db.Close()
	chk, err := be.mgr.Drill(ctx, pos[0], *to, progressPrinter(e))
	if chk != nil {
		body, _ := json.MarshalIndent(chk, "", "  ")
		if *reportFile != "" {
			if werr := os.WriteFile(*reportFile, append(body, '\n'), 0o600); werr != nil {
				return werr
			}
		}
		if *asJSON {
			fmt.Fprintln(e.stdout, string(body))
		} else {
			printReport(e.stdout, chk)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "drill of %s FAILED: %v\n", pos[0], err)
		return errReported
	}
	return nil
}
