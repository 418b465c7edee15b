package auditclient

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// spool keeps unacknowledged batches on disk, one file per batch, named so
// that names sort oldest first. A file is written under a temporary name,
// fsync'd and renamed, so a crash leaves either the whole batch or nothing.
type spool struct {
	dir string
	mu  sync.Mutex
	seq int64
	n   int // files waiting
}

func openSpool(dir string) (*spool, error) {
	if err := os.MkdirAll(filepath.Join(dir, "rejected"), 0o700); err != nil {
		return nil, fmt.Errorf("auditclient: spool: %w", err)
	}
	s := &spool{dir: dir}
	names, err := s.list()
	if err != nil {
		return nil, err
	}
	s.n = len(names)
	return s, nil
}

func (s *spool) list() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("auditclient: spool: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

func (s *spool) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *spool) write(batch []Event) error {
	b, err := json.Marshal(batch)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	name := fmt.Sprintf("%020d-%06d.json", time.Now().UnixNano(), s.seq%1_000_000)
	tmp := filepath.Join(s.dir, "."+name+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("auditclient: spool: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("auditclient: spool: %w", err)
	}
	s.n++
	return nil
}

// oldest returns the oldest spooled batch ("" when none is left).
func (s *spool) oldest() (string, []Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names, err := s.list()
	if err != nil || len(names) == 0 {
		s.n = 0
		return "", nil, err
	}
	s.n = len(names)
	b, err := os.ReadFile(filepath.Join(s.dir, names[0]))
	if err != nil {
		return "", nil, fmt.Errorf("auditclient: spool: %w", err)
	}
	var batch []Event
	if err := json.Unmarshal(b, &batch); err != nil {
		// Cannot happen for files this package wrote; keep it for a person.
		if rerr := os.Rename(filepath.Join(s.dir, names[0]), filepath.Join(s.dir, "rejected", names[0])); rerr != nil {
			return "", nil, fmt.Errorf("auditclient: spool file %s is damaged (%v) and could not be moved to rejected/: %w", names[0], err, rerr)
		}
		s.n--
		return "", nil, fmt.Errorf("auditclient: spool file %s is damaged (moved to rejected/): %w", names[0], err)
	}
	return names[0], batch, nil
}

func (s *spool) remove(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil {
		return fmt.Errorf("auditclient: spool: %w", err)
	}
	s.n--
	return nil
}

func (s *spool) reject(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(s.dir, "rejected", name)); err != nil {
		return fmt.Errorf("auditclient: spool: %w", err)
	}
	s.n--
	return nil
}
