package store

import (
	"io/fs"
	"time"
)

// Millis stores a time as unix milliseconds: a BIGINT that is portable
// across both engines and sorts by time. The zero time is 0.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromMillis reads a time stored by Millis, in UTC.
func FromMillis(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// Migrations returns the migration set of component from the directory dir
// of an embedded file system (//go:embed migrations/*.sql).
func Migrations(component string, fsys fs.FS, dir string) MigrationSet {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a literal beside the embed directive
	}
	return MigrationSet{Component: component, FS: sub}
}
