package runbook

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary files to the runbook parser: it must never
// panic, and whatever it accepts without problems has an id and all four
// sections.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/good", "testdata/bad"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rb, probs := Parse("f.md", data)
		if len(probs) == 0 && (!ValidID(rb.ID) || len(rb.Sections) < len(RequiredSections)) {
			t.Fatalf("accepted without problems but id %q, sections %+v", rb.ID, rb.Sections)
		}
		for _, p := range probs {
			if p.Line < 0 {
				t.Fatalf("negative line in %v", p)
			}
		}
		s := &Set{byID: map[string]*Runbook{}, byFile: map[string]*Runbook{}}
		if _, err := s.HTML(rb); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzConfigRefs walks arbitrary YAML for runbook references without
// panicking.
func FuzzConfigRefs(f *testing.F) {
	data, err := os.ReadFile("testdata/warden.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		refs, _, _ := ConfigRefs("f.yaml", data)
		for _, r := range refs {
			if r.Value == "" {
				t.Fatalf("empty ref %+v", r)
			}
		}
	})
}

// FuzzFrontMatter checks the front matter splitter and decoder alone: no
// panic, the body is no longer than the input, and lines are within the file.
func FuzzFrontMatter(f *testing.F) {
	files, _ := filepath.Glob("testdata/frontmatter/*.md")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("---\nid: x\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, body, bodyLine, probs := ParseFrontMatter("f.md", data)
		if len(body) > len(data) {
			t.Fatalf("body longer than the input")
		}
		lines := 2 + bytes.Count(data, []byte("\n"))
		if bodyLine > lines {
			t.Fatalf("body line %d past the end (%d lines)", bodyLine, lines)
		}
		for _, p := range probs {
			if p.Line < 0 || p.Line > lines {
				t.Fatalf("problem line %d outside the file (%d lines): %v", p.Line, lines, p)
			}
		}
	})
}
