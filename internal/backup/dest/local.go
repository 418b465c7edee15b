// Package dest holds the places backups are kept: a local directory and
// S3-compatible object storage. Both implement backup.Destination.
package dest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wardenhq/warden/internal/backup"
)

// Local keeps artifacts as files in a directory.
type Local struct {
	Dir string
}

var _ backup.Destination = (*Local)(nil)

// String implements backup.Destination.
func (l *Local) String() string { return l.Dir }

func (l *Local) path(name string) (string, error) {
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("%q is not a plain file name", name)
	}
	return filepath.Join(l.Dir, name), nil
}

// Put implements backup.Destination: it writes a temporary file, fsyncs
// it, renames it into place and fsyncs the directory.
func (l *Local) Put(ctx context.Context, name string, r io.Reader, size int64) error {
	p, err := l.path(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(l.Dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(l.Dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, ctxReader{ctx, r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("wrote %d bytes, expected %d", n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return err
	}
	return syncDir(l.Dir)
}

// PutFile implements backup.FilePutter: the finished file is renamed into
// place when it is on the same file system, else copied. The caller has
// fsynced it; the directory is fsynced here.
func (l *Local) PutFile(ctx context.Context, name, path string) error {
	p, err := l.path(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(l.Dir, 0o750); err != nil {
		return err
	}
	if err := os.Rename(path, p); err != nil {
		f, oerr := os.Open(path)
		if oerr != nil {
			return oerr
		}
		defer f.Close()
		st, serr := f.Stat()
		if serr != nil {
			return serr
		}
		return l.Put(ctx, name, f, st.Size())
	}
	return syncDir(l.Dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open implements backup.Destination.
func (l *Local) Open(_ context.Context, name string) (io.ReadCloser, error) {
	p, err := l.path(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", p, backup.ErrNotFound)
	}
	return f, err
}

// Delete implements backup.Destination.
func (l *Local) Delete(_ context.Context, name string) error {
	p, err := l.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// List implements backup.Destination.
func (l *Local) List(_ context.Context, prefix string) ([]string, error) {
	entries, err := os.ReadDir(l.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), prefix) && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// ctxReader stops a long copy when the context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
