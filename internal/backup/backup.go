// Package backup takes, verifies, keeps and restores backups of the app's
// databases and of Warden's own state.
//
// A backup is a pipeline of explicit stages, wired in Manager.Run:
//
//	Source.Dump (a consistent raw copy) -> zstd -> age (optional)
//	  -> Destination.Put (artifact + manifest) -> catalog
//	  -> verify (checksums, decrypt, decompress, restore into scratch,
//	     integrity check, row counts) -> retention -> alerts
//
// The domain defines the interfaces it needs: Source (sqlitesrc, pgsrc),
// Destination (dest.Local, dest.S3) and Catalog (backupsql).
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Engines a Source reads.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// Source is one database that can be dumped, restored and inspected.
type Source interface {
	// Engine is EngineSQLite or EnginePostgres.
	Engine() string
	// Ext names the raw dump's format in the artifact name: "sqlite", "pgdump".
	Ext() string
	// Describe names the source for the manifest and logs, without secrets.
	Describe() string
	// Dump writes a consistent copy of the source to path, taken at one
	// instant while writers go on, with row counts of that copy. The copy
	// is an input to the artifact, which is what gets fsynced.
	Dump(ctx context.Context, path string) (Dump, error)
	// Scratch makes an empty place to restore into that is not the live
	// source, and a function that removes it.
	Scratch(ctx context.Context, label string) (location string, cleanup func(), err error)
	// Restore loads the raw dump at path into location (a file path or a
	// database URL). It refuses an existing, non-empty location unless
	// force, and never touches location before the dump is known readable.
	Restore(ctx context.Context, path, location string, force bool) error
	// Inspect checks the integrity of a restored location and counts rows.
	Inspect(ctx context.Context, location string) (Inspection, error)
	// IsLive reports whether location is the live source itself.
	IsLive(location string) (bool, error)
}

// Streamer is a Source that hands its consistent copy over as a stream,
// so the copy is compressed while it is read, with no raw file between.
type Streamer interface {
	Source
	// DumpTo writes a consistent copy of the source to w, in order, and
	// describes it, Tables included. An error from w ends the dump. size
	// is told the copy's length in bytes before the first write.
	DumpTo(ctx context.Context, w io.Writer, size func(int64)) (Dump, error)
}

// Dump describes a raw copy a Source made.
type Dump struct {
	// Tables holds the row count of every table in the copy.
	Tables map[string]int64
	// Tools names the programs and libraries that made it, with versions.
	Tools map[string]string
	// SnapshotAt is the instant the copy shows; the RPO is measured from it.
	SnapshotAt time.Time
}

// FilePutter is a Destination that can take a finished local file whole
// (a rename on the same file system) instead of copying it.
type FilePutter interface {
	PutFile(ctx context.Context, name, path string) error
}

// Inspection is what Inspect found in a restored copy.
type Inspection struct {
	// Integrity is "ok" or the engine's own complaint.
	Integrity string
	Tables    map[string]int64
}

// Destination keeps artifacts: a local directory or an S3 bucket.
type Destination interface {
	// String names the destination (a path or s3://bucket/prefix).
	String() string
	// Put stores size bytes from r under name, atomically: a reader never
	// sees half an object.
	Put(ctx context.Context, name string, r io.Reader, size int64) error
	// Open reads the object name; it returns an error wrapping ErrNotFound
	// when there is none.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Delete removes name; deleting what is not there is not an error.
	Delete(ctx context.Context, name string) error
	// List returns the names that start with prefix, in name order.
	List(ctx context.Context, prefix string) ([]string, error)
}

// ErrNotFound means the backup, target or object does not exist.
var ErrNotFound = errors.New("not found")

// ErrLive means a restore would overwrite the live source without --force.
var ErrLive = errors.New("refusing to restore over the live source")

// Error is a failure of one stage of a backup, verification or restore,
// with the file it concerns and a hint the operator can act on.
type Error struct {
	Op     string // "backup", "verify", "restore", "drill"
	Target string
	File   string
	Err    error
	Hint   string
}

func (e *Error) Error() string {
	s := e.Op
	if e.Target != "" {
		s += " " + e.Target
	}
	if e.File != "" {
		s += ": " + e.File
	}
	s += ": " + e.Err.Error()
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func errorf(op, target, file, hint, format string, args ...any) *Error {
	return &Error{Op: op, Target: target, File: file, Hint: hint, Err: fmt.Errorf(format, args...)}
}

// Progress receives the progress of a long stage: done of total bytes
// (total is 0 when unknown). It is called at most a few times a second.
type Progress func(stage string, done, total int64)

func (p Progress) report(stage string, done, total int64) {
	if p != nil {
		p(stage, done, total)
	}
}
