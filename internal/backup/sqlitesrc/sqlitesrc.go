// Package sqlitesrc backs up SQLite databases online with SQLite's backup
// API, copying every page in one step: the copy is one consistent snapshot
// even while the app keeps writing (WAL lets writers go on meanwhile), and
// unlike a stepwise copy it cannot be restarted forever by those writes.
package sqlitesrc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"modernc.org/sqlite"

	"github.com/wardenhq/warden/internal/backup"
)

// Source is one SQLite database file.
type Source struct {
	// Path is the live database file.
	Path string
	// WorkDir holds scratch copies for verification (os.TempDir() if empty).
	WorkDir string
}

var _ backup.Source = (*Source)(nil)

// Engine implements backup.Source.
func (s *Source) Engine() string { return backup.EngineSQLite }

// Ext implements backup.Source.
func (s *Source) Ext() string { return "sqlite" }

// Describe implements backup.Source.
func (s *Source) Describe() string { return "sqlite:" + s.Path }

type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// Dump implements backup.Source: the backup API copies all pages in one
// step into path; the rows are counted in that copy (Dump.Count).
func (s *Source) Dump(ctx context.Context, path string) (backup.Dump, error) {
	d, _, err := s.dump(ctx, path, nil, nil)
	return d, err
}

var _ backup.Follower = (*Source)(nil)

// DumpFollow implements backup.Follower: while the backup API writes the
// copy, the file is read behind it. SQLite's backup writes every page of
// a new database once, in page order as its page cache spills (the cache
// writes its oldest dirty page first, and no page needs a journal sync
// here), except page 1, which it keeps until the commit rewrites it: so
// a region is handed on once the file has grown a page past it, and page
// 1 (the head) is left to the caller. The caller checks every region
// against the finished file, so this ordering is an optimisation, never a
// promise the backup relies on.
func (s *Source) DumpFollow(ctx context.Context, path string, buf func() []byte, emit func(off int64, b []byte)) (backup.Dump, int64, error) {
	return s.dump(ctx, path, buf, emit)
}

// followPoll is how often the copy's size is looked at while it grows.
const followPoll = 2 * time.Millisecond

func (s *Source) dump(ctx context.Context, path string, buf func() []byte, emit func(off int64, b []byte)) (backup.Dump, int64, error) {
	d, head, err := s.dumpInner(ctx, path, buf, emit)
	return d, head, err
}

func (s *Source) dumpInner(ctx context.Context, path string, buf func() []byte, emit func(off int64, b []byte)) (backup.Dump, int64, error) {
	if _, err := os.Stat(s.Path); err != nil {
		return backup.Dump{}, 0, fmt.Errorf("source database: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+s.Path+"?_pragma=busy_timeout(30000)")
	if err != nil {
		return backup.Dump{}, 0, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return backup.Dump{}, 0, fmt.Errorf("open %s: %w", s.Path, err)
	}
	defer conn.Close()
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&version); err != nil {
		return backup.Dump{}, 0, fmt.Errorf("open %s: %w", s.Path, err)
	}
	var head int64
	if err := conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&head); err != nil {
		return backup.Dump{}, 0, fmt.Errorf("open %s: %w", s.Path, err)
	}
	var snapshot time.Time
	copied := make(chan error, 1)
	go func() {
		copied <- conn.Raw(func(dc any) error {
			b, ok := dc.(backuper)
			if !ok {
				return errors.New("the SQLite driver has no backup API")
			}
			// The copy is a fresh temporary file: it needs no rollback journal
			// and no syncs while pages are written (the artifact is fsynced).
			bk, err := b.NewBackup("file:" + path + "?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)")
			if err != nil {
				return fmt.Errorf("start backup: %w", err)
			}
			// Every transaction committed before this instant is in the copy.
			snapshot = time.Now().UTC()
			_, stepErr := bk.Step(-1)
			finErr := bk.Finish()
			return errors.Join(stepErr, finErr)
		})
	}()
	if emit != nil {
		err = follow(path, head, copied, buf, emit)
	} else {
		err = <-copied
	}
	if err != nil {
		return backup.Dump{}, 0, fmt.Errorf("copy pages: %w", err)
	}
	// The copy is a temporary file: the artifact made from it is fsynced,
	// so syncing this one too would only write it to disk twice.
	// The rows are counted from the copy's b-tree pages as they stream
	// through the compressor (Pages), so the copy is read once; should the
	// pages not add up, count(*) through SQLite counts instead.
	idx := NewPageIndex()
	count := func(ctx context.Context) (map[string]int64, error) {
		if tables, err := countPages(ctx, path, idx); err == nil {
			return tables, nil
		}
		return countFile(ctx, path)
	}
	return backup.Dump{Pages: idx, Count: count, SnapshotAt: snapshot, Tools: map[string]string{
		"sqlite": version, "sqlite_driver": "modernc.org/sqlite " + moduleVersion("modernc.org/sqlite"),
	}}, head, nil
}

// follow reads the copy at path behind the backup API until copied
// reports the end of the copy, handing emit each sealChunk-sized region
// from offset head on once the file has grown a page past it, then the
// rest of the finished file. It returns the copy's error. A region that
// cannot be read ends the following (the caller's check then finds the
// copy longer than what it was given and seals the file again).
func follow(path string, head int64, copied <-chan error, buf func() []byte, emit func(off int64, b []byte)) error {
	next := head
	var f *os.File
	failed := false
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	var b []byte // the next region's buffer, kept until it is filled
	read := func(limit int64, whole bool) {
		for !failed && next < limit {
			if b == nil {
				b = buf()
			}
			n := min(int64(len(b)), limit-next)
			if whole && n < int64(len(b)) {
				return
			}
			if _, err := f.ReadAt(b[:n], next); err != nil {
				failed = true
				return
			}
			emit(next, b[:n])
			b = nil
			next += n
		}
	}
	tick := time.NewTicker(followPoll)
	defer tick.Stop()
	for {
		select {
		case err := <-copied:
			if err != nil {
				return err
			}
			if f == nil {
				var oerr error
				if f, oerr = os.Open(path); oerr != nil {
					return oerr
				}
			}
			if st, serr := f.Stat(); serr == nil {
				read(st.Size(), false)
			}
			return nil
		case <-tick.C:
		}
		if f == nil {
			var oerr error
			if f, oerr = os.Open(path); oerr != nil {
				f = nil
				continue // not created yet
			}
		}
		if st, err := f.Stat(); err == nil {
			read(st.Size()-head, true) // a page of margin behind the writer
		}
	}
}

// Scratch implements backup.Source: a fresh directory with no database.
func (s *Source) Scratch(_ context.Context, label string) (string, func(), error) {
	dir, err := os.MkdirTemp(s.WorkDir, "warden-"+label+"-")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, "restored.sqlite"), func() { os.RemoveAll(dir) }, nil
}

// Restore implements backup.Source: the dump is checked to open as SQLite,
// copied beside location, fsynced and renamed over it, and stale -wal and
// -shm files of the old database are removed so they cannot be replayed
// onto the new one.
func (s *Source) Restore(ctx context.Context, path, location string, force bool) error {
	if _, err := os.Stat(location); err == nil && !force {
		return fmt.Errorf("%s already exists; choose a new path or pass --force to replace it", location)
	}
	if err := quickOpen(ctx, path); err != nil {
		return fmt.Errorf("the dump does not open as SQLite: %w", err)
	}
	dir := filepath.Dir(location)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(location)+".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	in, err := os.Open(path)
	if err != nil {
		tmp.Close()
		return err
	}
	_, err = io.Copy(tmp, in)
	in.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(location + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), location); err != nil {
		return err
	}
	return fsync(dir)
}

// Inspect implements backup.Source: PRAGMA integrity_check and row counts.
func (s *Source) Inspect(ctx context.Context, location string) (backup.Inspection, error) {
	db, err := openRO(location)
	if err != nil {
		return backup.Inspection{}, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return backup.Inspection{Integrity: err.Error()}, nil
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return backup.Inspection{}, err
		}
		problems = append(problems, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return backup.Inspection{Integrity: err.Error()}, nil
	}
	integrity := strings.Join(problems, "; ")
	if integrity != "ok" {
		return backup.Inspection{Integrity: integrity}, nil
	}
	tables, err := count(ctx, db)
	if err != nil {
		return backup.Inspection{}, err
	}
	return backup.Inspection{Integrity: "ok", Tables: tables}, nil
}

// IsLive implements backup.Source.
func (s *Source) IsLive(location string) (bool, error) { return SamePath(s.Path, location), nil }

// SamePath reports whether a and b name the same file, following symlinks.
func SamePath(a, b string) bool {
	if sa, err := os.Stat(a); err == nil {
		if sb, err := os.Stat(b); err == nil {
			return os.SameFile(sa, sb)
		}
	}
	ca, cb := canonical(a), canonical(b)
	return ca == cb
}

func canonical(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(r, filepath.Base(abs))
	}
	return abs
}

func openRO(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	return sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
}

func quickOpen(ctx context.Context, path string) error {
	db, err := openRO(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	return db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n)
}

// countPages counts every table's rows (except SQLite's own) from idx, the
// page index of the file at path; only the schema is read with SQL. A
// virtual table (no root page) is counted with count(*).
func countPages(ctx context.Context, path string, idx *PageIndex) (map[string]int64, error) {
	if err := idx.Err(); err != nil {
		return nil, err
	}
	db, err := openRO(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name, rootpage FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	roots := map[string]int64{}
	for rows.Next() {
		var name string
		var root sql.NullInt64
		if err := rows.Scan(&name, &root); err != nil {
			rows.Close()
			return nil, err
		}
		roots[name] = root.Int64
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(roots))
	for name, root := range roots {
		if root <= 0 {
			var c int64
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(name, `"`, `""`)+`"`).Scan(&c); err != nil {
				return nil, fmt.Errorf("count %s: %w", name, err)
			}
			out[name] = c
			continue
		}
		if root > int64(^uint32(0)) {
			return nil, fmt.Errorf("table %s: root page %d", name, root)
		}
		n, err := idx.Rows(uint32(root))
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", name, err)
		}
		out[name] = n
	}
	return out, nil
}

func countFile(ctx context.Context, path string) (map[string]int64, error) {
	db, err := openRO(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return count(ctx, db)
}

// count returns the row count of every table except SQLite's own.
func count(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&c); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		out[n] = c
	}
	return out, nil
}

func fsync(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	return nil
}

func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown"
}
