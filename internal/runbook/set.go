package runbook

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// maxFile bounds one runbook file; a runbook is a page, not a book.
const maxFile = 1 << 20

// Set is every runbook in a directory, by id.
type Set struct {
	Dir      string
	Runbooks []*Runbook // sorted by id
	byID     map[string]*Runbook
	byFile   map[string]*Runbook // base name -> runbook
}

// IsRunbookFile reports whether a file name in a runbook directory is a
// runbook: a .md file other than README.md or index.md, which may index the
// directory for readers of the repository.
func IsRunbookFile(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasSuffix(lower, ".md") && lower != "readme.md" && lower != "index.md"
}

// Load reads and lints every runbook in dir (not its subdirectories). It
// returns the set (without the files that could not be read) and every
// problem found: in front matter, sections, duplicate ids and relative
// links. A missing directory is an error.
func Load(dir string) (*Set, []Problem, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read runbooks: %w", err)
	}
	s := &Set{Dir: dir, byID: map[string]*Runbook{}, byFile: map[string]*Runbook{}}
	var probs []Problem
	for _, e := range entries {
		if e.IsDir() || !IsRunbookFile(e.Name()) {
			continue
		}
		file := filepath.Join(dir, e.Name())
		data, err := readFile(file)
		if err != nil {
			probs = append(probs, Problem{File: file, Msg: err.Error()})
			continue
		}
		rb, ps := Parse(file, data)
		probs = append(probs, ps...)
		if rb.ID != "" {
			if other, dup := s.byID[rb.ID]; dup {
				probs = append(probs, Problem{File: file, Line: 2, Msg: fmt.Sprintf("id %q is already used by %s", rb.ID, other.File)})
				continue
			}
			s.byID[rb.ID] = rb
		}
		s.byFile[e.Name()] = rb
		s.Runbooks = append(s.Runbooks, rb)
	}
	sort.Slice(s.Runbooks, func(i, j int) bool { return s.Runbooks[i].ID < s.Runbooks[j].ID })
	for _, rb := range s.Runbooks {
		probs = append(probs, s.checkLinks(rb)...)
	}
	SortProblems(probs)
	return s, probs, nil
}

func readFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFile {
		return nil, fmt.Errorf("file is %d bytes; a runbook may be at most %d", st.Size(), maxFile)
	}
	return os.ReadFile(file)
}

// SortProblems orders problems by file, then line.
func SortProblems(probs []Problem) {
	sort.SliceStable(probs, func(i, j int) bool {
		if probs[i].File != probs[j].File {
			return probs[i].File < probs[j].File
		}
		return probs[i].Line < probs[j].Line
	})
}

// Get returns the runbook with id.
func (s *Set) Get(id string) (*Runbook, bool) {
	if s == nil {
		return nil, false
	}
	rb, ok := s.byID[id]
	return rb, ok
}

// IDForFile returns the id of the runbook in the file with this base name.
func (s *Set) IDForFile(name string) (string, bool) {
	if s == nil {
		return "", false
	}
	rb, ok := s.byFile[name]
	if !ok || rb.ID == "" {
		return "", false
	}
	return rb.ID, true
}

// checkLinks reports relative links whose target file does not exist.
// Links with a scheme, absolute paths and in-page anchors are not checked:
// they point outside the repository or at the page itself.
func (s *Set) checkLinks(rb *Runbook) []Problem {
	var probs []Problem
	for _, l := range rb.Links {
		target, ok := relativeTarget(l.Dest)
		if !ok {
			continue
		}
		p := filepath.Join(filepath.Dir(rb.File), filepath.FromSlash(target))
		if _, err := os.Stat(p); err != nil {
			why := "does not exist"
			if !errors.Is(err, fs.ErrNotExist) {
				why = err.Error()
			}
			probs = append(probs, Problem{File: rb.File, Line: l.Line, Msg: fmt.Sprintf("broken link %q: %s %s", l.Dest, p, why)})
		}
	}
	return probs
}

// relativeTarget returns the file path a relative link points at, without
// its query and fragment.
func relativeTarget(dest string) (string, bool) {
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "/") {
		return "", false
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" {
		return "", false
	}
	return path.Clean(u.Path), true
}
