package runbook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func problemsText(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

func TestLoadGood(t *testing.T) {
	s, probs, err := Load("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) > 0 {
		t.Fatalf("problems in good runbooks:\n%s", problemsText(probs))
	}
	if got := strings.Join(s.IDs(), ","); got != "disk-filling,warden-down" {
		t.Fatalf("ids = %s", got)
	}
	rb, _ := s.Get("warden-down")
	if rb.Title != "Warden is down" || rb.Severity != "critical" || rb.Owner != "platform" || len(rb.Escalation) != 1 {
		t.Errorf("front matter = %+v", rb.FrontMatter)
	}
	if len(rb.Sections) != 4 || rb.Sections[0].Title != "Symptoms" || rb.Sections[0].Line != 9 {
		t.Errorf("sections = %+v", rb.Sections)
	}
}

func TestLintFindsEachProblem(t *testing.T) {
	_, probs, err := Load("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	got := problemsText(probs)
	for _, want := range []string{
		"testdata/bad/frontmatter.md:2: id: \"Bad Id\" must be lower-case",
		"testdata/bad/frontmatter.md:3: title: missing",
		"testdata/bad/frontmatter.md:4: severity: \"urgent\" is not one of critical, warning, info",
		"testdata/bad/frontmatter.md:5: \"colour\" is not a front matter field",
		"testdata/bad/frontmatter.md:1: owner: missing",
		"testdata/bad/frontmatter.md:1: escalation: list at least one contact",
		"testdata/bad/missing.md:15: broken link \"nowhere.md\"",
		"testdata/bad/missing.md:17: section Solutions is empty",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lint output lacks %q:\n%s", want, got)
		}
	}
}

func TestMissingSection(t *testing.T) {
	src := "---\nid: x\ntitle: X\nseverity: info\nowner: me\nescalation: [you]\n---\n## Symptoms\na\n## Diagnosis\nb\n```\n## Solutions\n```\n## Escalation\nc\n"
	_, probs := Parse("x.md", []byte(src))
	got := problemsText(probs)
	// "## Solutions" inside a code block is not a heading.
	if !strings.Contains(got, `x.md:8: missing section: add a "## Solutions" heading`) || len(probs) != 1 {
		t.Fatalf("problems:\n%s", got)
	}
}

func TestFrontMatterErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"# no front matter\n", "x.md:1: no front matter"},
		{"---\nid: x\n", "x.md:1: front matter is not closed"},
		{"---\nid: [x\n---\n", "x.md:"},
		{"---\n- a\n---\n", "x.md:2: front matter must be YAML fields"},
		{"---\nescalation: {a: b}\n---\n", "x.md:2: escalation: must be a list"},
	} {
		_, probs := Parse("x.md", []byte(tc.src))
		if got := problemsText(probs); !strings.Contains(got, tc.want) {
			t.Errorf("%q: problems lack %q:\n%s", tc.src, tc.want, got)
		}
	}
}

func TestDuplicateID(t *testing.T) {
	dir := t.TempDir()
	src, _ := os.ReadFile("testdata/good/warden-down.md")
	for _, n := range []string{"a.md", "b.md"} {
		if err := os.WriteFile(filepath.Join(dir, n), src, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, probs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := problemsText(probs); !strings.Contains(got, `b.md:2: id "warden-down" is already used by`) {
		t.Fatalf("problems:\n%s", got)
	}
}

func TestConfigRefs(t *testing.T) {
	data, err := os.ReadFile("testdata/warden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	refs, dir, err := ConfigRefs("warden.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if dir != "./good" || len(refs) != 4 {
		t.Fatalf("dir %q refs %+v", dir, refs)
	}
	s, _, err := Load("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	probs := s.CheckRefs(refs)
	got := problemsText(probs)
	if len(probs) != 1 || !strings.Contains(got, `warden.yaml:6: logs.alarms[1].runbook: no runbook has id "no-such-runbook"`) {
		t.Fatalf("problems:\n%s", got)
	}
}

func TestLinkAndIDFromRef(t *testing.T) {
	if got := Link("https://warden.example.com/", "disk-filling"); got != "https://warden.example.com/ui/runbooks/disk-filling" {
		t.Errorf("Link = %s", got)
	}
	if got := Link("", "disk-filling"); got != "/ui/runbooks/disk-filling" {
		t.Errorf("Link = %s", got)
	}
	if got := Link("https://w", "https://elsewhere/x"); got != "https://elsewhere/x" {
		t.Errorf("Link kept URL as %s", got)
	}
	for ref, want := range map[string]string{
		"disk-filling": "disk-filling",
		"https://w.example/ui/runbooks/disk-filling": "disk-filling",
		"/ui/runbooks/warden-down":                   "warden-down",
		"https://runbooks.example.com/api-down":      "",
		"Not An Id":                                  "",
	} {
		if got, _ := IDFromRef(ref); got != want {
			t.Errorf("IDFromRef(%q) = %q, want %q", ref, got, want)
		}
	}
}

func TestHTML(t *testing.T) {
	s, _, err := Load("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := s.Get("warden-down")
	h, err := s.HTML(rb)
	if err != nil {
		t.Fatal(err)
	}
	out := string(h)
	for _, want := range []string{`<h2 id="symptoms">Symptoms</h2>`, `<a href="/ui/runbooks/disk-filling">the disk</a>`, `href="https://example.com/x"`} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script>") {
		t.Errorf("raw HTML passed through:\n%s", out)
	}
	rb, _ = s.Get("disk-filling")
	h, _ = s.HTML(rb)
	if !strings.Contains(string(h), `href="/ui/runbooks/warden-down#symptoms"`) {
		t.Errorf("link with fragment not rewritten:\n%s", h)
	}
}
