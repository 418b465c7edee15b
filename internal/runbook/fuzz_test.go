package runbook

import (
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
