package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
)

// Target is one database to back up, where to and how long to keep it.
type Target struct {
	Name   string
	Source Source
	Dest   Destination
	Sealer Sealer
	Opener Opener
	Keep   Keep
	// MaxAge raises BackupStale when the newest good backup is older.
	MaxAge time.Duration
	// Verify checks every backup right after it is taken.
	Verify bool
	// PostCheck, when set, checks a restored copy beyond integrity and row
	// counts (Warden's own state: its audit trail). It returns a name and a
	// result for the report.
	PostCheck func(ctx context.Context, location string) (name, result string, err error)
}

// Options configure a Manager.
type Options struct {
	Targets     []*Target
	Catalog     Catalog
	Alerts      alert.Raiser // defaults to alert.Discard
	Clock       clock.Clock  // defaults to clock.Real
	Logger      *slog.Logger
	WorkDir     string // temporary files; defaults to os.TempDir()
	Version     string // Warden's version, for manifests
	Environment string // the environment label on alerts
}

// Manager runs backups, verifications, restores, drills and retention.
type Manager struct {
	opts    Options
	targets map[string]*Target
	order   []string
	started time.Time
	mu      sync.Mutex // serialises runs of one target in this process
	running map[string]bool
}

// New returns a Manager; target names must be unique.
func New(opts Options) (*Manager, error) {
	if opts.Alerts == nil {
		opts.Alerts = alert.Discard{}
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.WorkDir == "" {
		opts.WorkDir = os.TempDir()
	}
	if opts.Catalog == nil {
		return nil, errors.New("backup: a catalog is required")
	}
	m := &Manager{opts: opts, targets: map[string]*Target{}, started: opts.Clock.Now(), running: map[string]bool{}}
	for _, t := range opts.Targets {
		if t.Name == "" || t.Source == nil || t.Dest == nil {
			return nil, fmt.Errorf("backup: target %q needs a name, a source and a destination", t.Name)
		}
		if _, dup := m.targets[t.Name]; dup {
			return nil, fmt.Errorf("backup: two targets are named %q", t.Name)
		}
		m.targets[t.Name] = t
		m.order = append(m.order, t.Name)
	}
	return m, nil
}

// Targets returns the targets in configuration order.
func (m *Manager) Targets() []*Target {
	out := make([]*Target, 0, len(m.order))
	for _, n := range m.order {
		out = append(out, m.targets[n])
	}
	return out
}

// Target returns the named target or an error wrapping ErrNotFound.
func (m *Manager) Target(name string) (*Target, error) {
	t, ok := m.targets[name]
	if !ok {
		return nil, fmt.Errorf("backup target %q: %w (targets: %s)", name, ErrNotFound, strings.Join(m.order, ", "))
	}
	return t, nil
}

// Catalog is the manager's catalog.
func (m *Manager) Catalog() Catalog { return m.opts.Catalog }

// ErrBusy means a run of the same target is already in progress here.
var ErrBusy = errors.New("a backup of this target is already running")

func (m *Manager) claim(name string) (func(), error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running[name] {
		return nil, fmt.Errorf("backup %s: %w", name, ErrBusy)
	}
	m.running[name] = true
	return func() { m.mu.Lock(); delete(m.running, name); m.mu.Unlock() }, nil
}

// Run takes one backup of the named target, stores it, verifies it (when
// the target asks), applies retention and raises or resolves alerts. The
// record is returned even when a later stage failed.
func (m *Manager) Run(ctx context.Context, name, trigger string, progress Progress) (*Record, error) {
	t, err := m.Target(name)
	if err != nil {
		return nil, err
	}
	release, err := m.claim(name)
	if err != nil {
		return nil, err
	}
	defer release()
	rec, err := m.take(ctx, t, trigger, progress)
	if err != nil {
		m.raise(ctx, "BackupFailed", t.Name, "critical", "Backup of "+t.Name+" failed", err.Error())
		return rec, err
	}
	m.resolve(ctx, "BackupFailed", t.Name)
	m.resolve(ctx, "BackupStale", t.Name)
	if t.Verify {
		if _, verr := m.Verify(ctx, rec.ID, progress); verr != nil {
			err = verr
		}
		if r, gerr := m.opts.Catalog.Get(ctx, rec.ID); gerr == nil {
			rec = r
		}
	}
	if _, perr := m.Prune(ctx, t.Name); perr != nil {
		m.opts.Logger.Warn("backup retention", "target", t.Name, "error", perr)
	}
	return rec, err
}

func (m *Manager) newID(ctx context.Context, target string, at time.Time) string {
	base := target + "-" + at.UTC().Format("20060102T150405Z")
	id := base
	for i := 2; ; i++ {
		if _, err := m.opts.Catalog.Get(ctx, id); errors.Is(err, ErrNotFound) {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, i)
	}
}

func (m *Manager) take(ctx context.Context, t *Target, trigger string, progress Progress) (*Record, error) {
	start := m.opts.Clock.Now().UTC()
	rec := &Record{
		ID: m.newID(ctx, t.Name, start), Target: t.Name, Engine: t.Source.Engine(), Trigger: trigger,
		Status: StatusRunning, StartedAt: start, Destination: t.Dest.String(), VerifyStatus: VerifyNone,
	}
	if err := m.opts.Catalog.Insert(ctx, rec); err != nil {
		return nil, fmt.Errorf("backup %s: record start: %w", t.Name, err)
	}
	log := m.opts.Logger.With("target", t.Name, "backup", rec.ID)
	log.Info("backup started", "source", t.Source.Describe(), "destination", t.Dest.String())
	man, err := m.produce(ctx, t, rec, progress)
	rec.FinishedAt = m.opts.Clock.Now().UTC()
	rec.DurationMS = rec.FinishedAt.Sub(start).Milliseconds()
	if err != nil {
		rec.Status, rec.Error = StatusFailed, err.Error()
		log.Error("backup failed", "error", err)
	} else {
		rec.Status, rec.Manifest, rec.SnapshotAt = StatusOK, man, man.SnapshotAt
		f, _ := man.Artifact()
		rec.Artifact, rec.Size, rec.RawSize, rec.SHA256 = f.Name, f.Size, f.RawSize, f.SHA256
		log.Info("backup taken", "artifact", f.Name, "size", f.Size, "raw_size", f.RawSize, "duration_ms", rec.DurationMS)
	}
	// The outcome must be recorded even when the run's context was cancelled.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if uerr := m.opts.Catalog.Update(uctx, rec); uerr != nil && err == nil {
		err = fmt.Errorf("backup %s: record outcome: %w", t.Name, uerr)
	}
	return rec, err
}

// produce dumps, seals and stores one backup, returning its manifest.
func (m *Manager) produce(ctx context.Context, t *Target, rec *Record, progress Progress) (*Manifest, error) {
	work, err := os.MkdirTemp(m.opts.WorkDir, "warden-backup-")
	if err != nil {
		return nil, errorf("backup", t.Name, "", "check that the data directory is writable", "temporary directory: %w", err)
	}
	defer os.RemoveAll(work)
	began := m.opts.Clock.Now()
	raw := filepath.Join(work, "raw."+t.Source.Ext())
	progress.report("dump", 0, 0)
	name := rec.ID + "." + t.Source.Ext() + ".zst"
	if len(t.Sealer.Recipients) > 0 {
		name += ".age"
	}
	sealedPath := filepath.Join(work, name)
	if st, ok := t.Source.(Streamer); ok {
		// The copy is compressed as it is read: no raw file, one pass.
		var dump Dump
		s, err := t.Sealer.sealFrom(sealedPath, progress, func(w io.Writer, size func(int64)) error {
			var err error
			dump, err = st.DumpTo(ctx, w, size)
			return err
		})
		if err != nil {
			return nil, &Error{Op: "backup", Target: t.Name, Err: fmt.Errorf("dump %s: %w", t.Source.Describe(), err)}
		}
		stages := map[string]int64{"dump_and_seal": m.opts.Clock.Now().Sub(began).Milliseconds()}
		return m.finishProduce(ctx, t, rec, dump, s, name, sealedPath, raw, stages, began, progress)
	}
	dump, err := t.Source.Dump(ctx, raw)
	if err != nil {
		return nil, &Error{Op: "backup", Target: t.Name, Err: fmt.Errorf("dump %s: %w", t.Source.Describe(), err)}
	}
	stages := map[string]int64{"dump": m.opts.Clock.Now().Sub(began).Milliseconds()}
	mark := m.opts.Clock.Now()
	s, err := t.Sealer.seal(raw, sealedPath, progress)
	if err != nil {
		return nil, &Error{Op: "backup", Target: t.Name, File: name, Err: err}
	}
	stages["seal"] = m.opts.Clock.Now().Sub(mark).Milliseconds()
	return m.finishProduce(ctx, t, rec, dump, s, name, sealedPath, raw, stages, began, progress)
}

// finishProduce stores a sealed backup and its manifest.
func (m *Manager) finishProduce(ctx context.Context, t *Target, rec *Record, dump Dump, s sealed, name, sealedPath, raw string,
	stages map[string]int64, began time.Time, progress Progress) (*Manifest, error) {
	mark := m.opts.Clock.Now()
	os.Remove(raw) // free the space before uploading
	s.Name = name
	man := &Manifest{
		Format: ManifestFormat, ID: rec.ID, Target: t.Name, Engine: t.Source.Engine(), Source: t.Source.Describe(),
		CreatedAt: rec.StartedAt, SnapshotAt: dump.SnapshotAt, Compression: "zstd",
		Files: []File{s.File}, Tables: dump.Tables, Tools: m.tools(dump.Tools), StagesMS: stages,
	}
	if man.Tables == nil {
		man.Tables = map[string]int64{}
	}
	if len(t.Sealer.Recipients) > 0 {
		man.Encryption = "age"
		for _, r := range t.Sealer.Recipients {
			if s, ok := r.(fmt.Stringer); ok {
				man.Recipients = append(man.Recipients, s.String())
			}
		}
	}
	progress.report("upload", 0, s.Size)
	if err := putFile(ctx, t.Dest, name, sealedPath, s.Size); err != nil {
		return nil, &Error{Op: "backup", Target: t.Name, File: name, Err: fmt.Errorf("store in %s: %w", t.Dest, err)}
	}
	stages["store"] = m.opts.Clock.Now().Sub(mark).Milliseconds()
	man.DurationMS = m.opts.Clock.Now().Sub(began).Milliseconds()
	body := man.Marshal()
	if err := t.Dest.Put(ctx, ManifestName(rec.ID), strings.NewReader(string(body)), int64(len(body))); err != nil {
		return nil, &Error{Op: "backup", Target: t.Name, File: ManifestName(rec.ID), Err: fmt.Errorf("store in %s: %w", t.Dest, err)}
	}
	return man, nil
}

func putFile(ctx context.Context, d Destination, name, path string, size int64) error {
	if fp, ok := d.(FilePutter); ok {
		return fp.PutFile(ctx, name, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return d.Put(ctx, name, f, size)
}

// tools adds Warden's and the codecs' versions to a source's tools.
func (m *Manager) tools(src map[string]string) map[string]string {
	out := map[string]string{"warden": m.opts.Version, "zstd": "github.com/klauspost/compress", "age": "filippo.io/age"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/klauspost/compress":
				out["zstd"] = d.Path + " " + d.Version
			case "filippo.io/age":
				out["age"] = d.Path + " " + d.Version
			}
		}
	}
	for k, v := range src {
		out[k] = v
	}
	return out
}

// List returns catalog records, newest first.
func (m *Manager) List(ctx context.Context, f Filter) ([]Record, error) {
	return m.opts.Catalog.List(ctx, f)
}

// Latest returns the newest good backup of target; verified says whether
// only verified backups count.
func (m *Manager) Latest(ctx context.Context, target string, verified bool) (*Record, error) {
	recs, err := m.opts.Catalog.List(ctx, Filter{Target: target, Status: StatusOK})
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if !verified || recs[i].VerifyStatus == VerifyPassed {
			return &recs[i], nil
		}
	}
	return nil, fmt.Errorf("no good backup of %s: %w", target, ErrNotFound)
}

// sortNewestFirst orders records by start time, newest first.
func sortNewestFirst(recs []Record) {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].StartedAt.After(recs[j].StartedAt) })
}
