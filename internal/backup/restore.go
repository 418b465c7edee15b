package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// RestoreResult says what a restore did.
type RestoreResult struct {
	BackupID   string           `json:"backup_id"`
	Artifact   string           `json:"artifact"`
	To         string           `json:"to"`
	SnapshotAt time.Time        `json:"snapshot_at"`
	Duration   time.Duration    `json:"duration"`
	Tables     map[string]int64 `json:"tables"`
}

// Restore restores the backup of target chosen by at ("" or "latest", a
// backup id, or a time: the newest backup taken at or before it) onto to.
// It refuses the live source unless force, and checks checksums and
// decrypts before it touches to, so a wrong key changes nothing.
func (m *Manager) Restore(ctx context.Context, target, at, to string, force bool, progress Progress) (*RestoreResult, error) {
	t, err := m.Target(target)
	if err != nil {
		return nil, err
	}
	if to == "" {
		return nil, &Error{Op: "restore", Target: target, Err: errors.New("no destination"), Hint: "give --to PATH or --to postgres://..."}
	}
	live, err := t.Source.IsLive(to)
	if err != nil {
		return nil, err
	}
	if live && !force {
		return nil, &Error{Op: "restore", Target: target, File: to, Err: ErrLive,
			Hint: "restore somewhere else and switch over, or stop the app and pass --force"}
	}
	man, err := m.pick(ctx, t, at)
	if err != nil {
		return nil, err
	}
	start := m.opts.Clock.Now()
	work, err := os.MkdirTemp(m.opts.WorkDir, "warden-restore-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var rep Report
	raw, err := m.unseal(ctx, t, man, "restore", work, &rep, progress)
	if err != nil {
		return nil, err
	}
	progress.report("restore", 0, 0)
	if err := t.Source.Restore(ctx, raw, to, force); err != nil {
		return nil, &Error{Op: "restore", Target: target, File: to, Err: err}
	}
	m.opts.Logger.Info("backup restored", "target", target, "backup", man.ID, "to", redactURL(to))
	return &RestoreResult{BackupID: man.ID, Artifact: rep.Artifact, To: redactURL(to), SnapshotAt: man.SnapshotAt,
		Duration: m.opts.Clock.Now().Sub(start), Tables: man.Tables}, nil
}

// pick finds the manifest of the backup at names. The catalog is asked
// first; when it knows no good backup of the target (Warden's own database
// was lost), the destination's manifests are read instead.
func (m *Manager) pick(ctx context.Context, t *Target, at string) (*Manifest, error) {
	recs, err := m.opts.Catalog.List(ctx, Filter{Target: t.Name, Status: StatusOK})
	if err != nil {
		return nil, err
	}
	var mans []*Manifest
	for _, r := range recs {
		if r.Manifest != nil {
			mans = append(mans, r.Manifest)
		}
	}
	if len(mans) == 0 {
		if mans, err = m.destManifests(ctx, t); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(mans, func(i, j int) bool { return mans[i].CreatedAt.After(mans[j].CreatedAt) })
	if len(mans) == 0 {
		return nil, &Error{Op: "restore", Target: t.Name, Err: fmt.Errorf("no backup to restore: %w", ErrNotFound), Hint: "run: warden backup run " + t.Name}
	}
	if at == "" || at == "latest" {
		return mans[0], nil
	}
	for _, man := range mans {
		if man.ID == at {
			return man, nil
		}
	}
	when, err := parseAt(at)
	if err != nil {
		return nil, &Error{Op: "restore", Target: t.Name, Err: fmt.Errorf("--at %q is neither latest, a backup id nor a time", at),
			Hint: "list backups with: warden backup list " + t.Name}
	}
	for _, man := range mans {
		if !man.SnapshotAt.After(when) {
			return man, nil
		}
	}
	return nil, &Error{Op: "restore", Target: t.Name, Err: fmt.Errorf("no backup was taken at or before %s: %w", when.Format(time.RFC3339), ErrNotFound)}
}

func parseAt(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if layout == "2006-01-02" {
				t = t.Add(24*time.Hour - time.Nanosecond) // the whole day
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time")
}

// destManifests reads the target's manifests from its destination,
// skipping (and logging) any that do not parse.
func (m *Manager) destManifests(ctx context.Context, t *Target) ([]*Manifest, error) {
	names, err := t.Dest.List(ctx, t.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t.Dest, err)
	}
	var out []*Manifest
	for _, n := range names {
		if !strings.HasSuffix(n, ".manifest.json") {
			continue
		}
		rc, err := t.Dest.Open(ctx, n)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			return nil, err
		}
		man, err := ParseManifest(b)
		if err != nil || man.Target != t.Name {
			m.opts.Logger.Warn("skipping unreadable manifest", "file", n, "error", err)
			continue
		}
		out = append(out, man)
	}
	return out, nil
}

// redactURL hides a password in a database URL.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if c := strings.Index(rest[:at], ":"); c >= 0 {
				return s[:i+3] + rest[:c] + ":xxxxx" + rest[at:]
			}
		}
	}
	return s
}

// RedactURL hides a password in a database URL, for messages.
func RedactURL(s string) string { return redactURL(s) }
