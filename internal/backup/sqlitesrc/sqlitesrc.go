// Package sqlitesrc backs up SQLite databases online, reading every page
// in one read transaction: the copy is one consistent snapshot even while
// the app keeps writing (WAL lets writers go on meanwhile), and unlike a
// stepwise copy it cannot be restarted forever by those writes.
package sqlitesrc

import (
	"bufio"
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

	_ "modernc.org/sqlite" // the database/sql driver

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

var _ backup.Streamer = (*Source)(nil)

// Dump implements backup.Source: DumpTo into a file at path. The file is
// not fsynced; it is a temporary input to the artifact, which is.
func (s *Source) Dump(ctx context.Context, path string) (backup.Dump, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return backup.Dump{}, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	d, err := s.DumpTo(ctx, bw, func(int64) {})
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return d, err
}

// DumpTo implements backup.Streamer. Everything is read inside one read
// transaction: the copy is one consistent snapshot, writers go on
// meanwhile in WAL mode (in rollback mode they wait, as for the backup
// API), and unlike a stepwise backup nothing restarts it. The bytes
// written to w are the database file as of the snapshot (the lock-byte
// page of a database past 1 GiB, which SQLite never uses, as zeros); see
// copyFile for how. Rows are counted from the b-tree pages as they pass
// (PageIndex), with count(*) in the same transaction when the pages do
// not add up.
func (s *Source) DumpTo(ctx context.Context, w io.Writer, size func(int64)) (backup.Dump, error) {
	if _, err := os.Stat(s.Path); err != nil {
		return backup.Dump{}, fmt.Errorf("source database: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+s.Path+"?_pragma=busy_timeout(30000)")
	if err != nil {
		return backup.Dump{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var version string
	if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&version); err != nil {
		return backup.Dump{}, fmt.Errorf("open %s: %w", s.Path, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return backup.Dump{}, fmt.Errorf("open %s: %w", s.Path, err)
	}
	defer tx.Rollback() // read only: nothing to undo
	// The first read starts the snapshot every later statement of tx
	// sees: every transaction committed before this instant is in it.
	snapshot := time.Now().UTC()
	var pageSize, pages int64
	var journal string
	if err := tx.QueryRowContext(ctx, "SELECT page_size, page_count, journal_mode FROM pragma_page_size, pragma_page_count, pragma_journal_mode").Scan(&pageSize, &pages, &journal); err != nil {
		return backup.Dump{}, fmt.Errorf("read %s: %w", s.Path, err)
	}
	roots, err := tableRoots(ctx, tx)
	if err != nil {
		return backup.Dump{}, fmt.Errorf("read the schema of %s: %w", s.Path, err)
	}
	size(pageSize * pages)
	idx := NewPageIndex()
	if err := copyFile(ctx, tx, s.Path, strings.EqualFold(journal, "wal"), pageSize, pages, io.MultiWriter(w, idx)); err != nil {
		return backup.Dump{}, err
	}
	tables, err := countPages(ctx, tx, roots, idx)
	if err != nil {
		if tables, err = count(ctx, tx); err != nil {
			return backup.Dump{}, fmt.Errorf("count rows: %w", err)
		}
	}
	return backup.Dump{Tables: tables, SnapshotAt: snapshot, Tools: map[string]string{
		"sqlite": version, "sqlite_driver": "modernc.org/sqlite " + moduleVersion("modernc.org/sqlite"),
	}}, nil
}

// copyChunk is how much of the database file copyFile reads at once: a
// multiple of every page size.
const copyChunk = 4 << 20

// pendingByte is where SQLite's lock bytes live; the page holding them is
// never used.
const pendingByte = 0x40000000

// copyFile writes pages 1 to pages of tx's snapshot of the database at
// path to w. Most pages are read from the file itself, in large reads:
// while tx holds its read lock, SQLite changes no page of the file that
// the snapshot does not also hold in the WAL (in rollback mode no writer
// commits at all; in WAL mode a checkpoint copies back only frames up to
// the oldest reader's snapshot, and none while a reader uses no frames).
// So every page with a frame in the WAL's current generation, and any
// page past the end of the file, is read through SQLite's pager instead
// (the sqlite_dbpage table, as SQLite's sqlite3_rsync reads pages), which
// gives the snapshot's version. Should the WAL not parse, every page is
// read that way.
func copyFile(ctx context.Context, tx *sql.Tx, path string, wal bool, pageSize, pages int64, w io.Writer) error {
	fromWAL := map[uint32]bool{}
	if wal {
		var err error
		if fromWAL, err = walPagesOf(path, pageSize); err != nil {
			return copyPages(ctx, tx, pageSize, pages, w)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	page, err := tx.PrepareContext(ctx, "SELECT data FROM sqlite_dbpage WHERE pgno = ?")
	if err != nil {
		return fmt.Errorf("read pages: %w", err)
	}
	defer page.Close()
	lockPage := pendingByte/pageSize + 1
	per := copyChunk / pageSize
	buf := make([]byte, per*pageSize)
	for first := int64(1); first <= pages; first += per {
		n := min(per, pages-first+1)
		b := buf[:n*pageSize]
		got, err := f.ReadAt(b, (first-1)*pageSize)
		if err != nil && err != io.EOF {
			return fmt.Errorf("read %s: %w", path, err)
		}
		for i := range n {
			pg := first + i
			slot := b[i*pageSize : (i+1)*pageSize]
			switch {
			case pg == lockPage:
				clear(slot)
			case fromWAL[uint32(pg)] || (i+1)*pageSize > int64(got):
				var data []byte
				if err := page.QueryRowContext(ctx, pg).Scan(&data); err != nil {
					return fmt.Errorf("read page %d: %w", pg, err)
				}
				if int64(len(data)) != pageSize {
					return fmt.Errorf("read page %d: %d bytes", pg, len(data))
				}
				copy(slot, data)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// copyPages writes pages 1 to pages of tx's snapshot to w, every one read
// through SQLite's pager, checking that each comes whole and in order.
func copyPages(ctx context.Context, tx *sql.Tx, pageSize, pages int64, w io.Writer) error {
	rows, err := tx.QueryContext(ctx, "SELECT pgno, data FROM sqlite_dbpage")
	if err != nil {
		return fmt.Errorf("read pages: %w", err)
	}
	defer rows.Close()
	var next int64 = 1
	for rows.Next() {
		var pgno int64
		var data sql.RawBytes
		if err := rows.Scan(&pgno, &data); err != nil {
			return fmt.Errorf("read page %d: %w", next, err)
		}
		if pgno != next || int64(len(data)) != pageSize {
			return fmt.Errorf("read pages: page %d came as page %d of %d bytes", next, pgno, len(data))
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		next++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read page %d: %w", next, err)
	}
	if next-1 != pages {
		return fmt.Errorf("read pages: %d of %d", next-1, pages)
	}
	return nil
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

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tableRoots maps every table (except SQLite's own) to its root page; a
// virtual table's is 0.
func tableRoots(ctx context.Context, q querier) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, rootpage FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	roots := map[string]int64{}
	for rows.Next() {
		var name string
		var root sql.NullInt64
		if err := rows.Scan(&name, &root); err != nil {
			return nil, err
		}
		roots[name] = root.Int64
	}
	return roots, rows.Err()
}

// countPages counts the rows of the tables at roots from idx, the page
// index of the copy; a virtual table (no root page) is counted with
// count(*) through q.
func countPages(ctx context.Context, q querier, roots map[string]int64, idx *PageIndex) (map[string]int64, error) {
	if err := idx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(roots))
	for name, root := range roots {
		if root <= 0 {
			var c int64
			if err := q.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(name, `"`, `""`)+`"`).Scan(&c); err != nil {
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

// count returns the row count of every table except SQLite's own.
func count(ctx context.Context, db querier) (map[string]int64, error) {
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
