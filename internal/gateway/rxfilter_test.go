package gateway

import (
	"html"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	crstests "github.com/corazawaf/coraza-coreruleset/v4/tests"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
)

// crsPatterns are the Go expressions (with Coraza's (?sm) prefix) of every
// @rx operator in the CRS Warden embeds, each with its filter.
var crsPatterns = sync.OnceValue(func() []filteredRx {
	opRE := regexp.MustCompile(`"@rx ((?:[^"\\]|\\.)*)"`)
	var out []filteredRx
	seen := map[string]bool{}
	_ = fs.WalkDir(coreruleset.FS, "@owasp_crs", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".conf") {
			return err
		}
		b, err := fs.ReadFile(coreruleset.FS, path)
		if err != nil {
			return err
		}
		for _, m := range opRE.FindAllStringSubmatch(string(b), -1) {
			expr := "(?sm)" + strings.ReplaceAll(m[1], `\"`, `"`)
			if seen[expr] || matchesArbitraryBytes(expr) {
				continue
			}
			seen[expr] = true
			re, err := regexp.Compile(expr)
			if err != nil {
				continue
			}
			out = append(out, filteredRx{re: re, filter: newLiteralFilter(expr)})
		}
		return nil
	})
	return out
})

type filteredRx struct {
	re     *regexp.Regexp
	filter *literalFilter
}

// checkFilterSound fails when a filter rules out a value its expression
// matches: the one thing the filter must never do.
func checkFilterSound(t testing.TB, pats []filteredRx, value string) {
	for _, p := range pats {
		if p.filter != nil && !p.filter.mayMatch(value) && p.re.MatchString(value) {
			t.Errorf("filter %q rules out %q, which %s matches", p.filter.strs, value, p.re)
		}
	}
}

// corpusValues are the strings of the CRS regression corpus (every line of
// its YAML: URIs, headers, bodies), raw, URL-decoded, HTML-unescaped and
// lower-cased.
func corpusValues(t testing.TB) []string {
	set := map[string]bool{}
	add := func(s string) {
		if s != "" {
			set[s] = true
		}
	}
	err := fs.WalkDir(crstests.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		b, err := fs.ReadFile(crstests.FS, path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if _, v, ok := strings.Cut(line, ": "); ok {
				line = strings.Trim(v, `"'`)
			}
			add(line)
			if u, err := url.QueryUnescape(line); err == nil {
				add(u)
				add(html.UnescapeString(u))
				add(strings.ToLower(u))
				for _, part := range strings.FieldsFunc(u, func(r rune) bool { return r == '&' || r == '=' || r == '?' }) {
					add(part)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	return out
}

func TestLiteralFilterSoundOnCRS(t *testing.T) {
	pats := crsPatterns()
	if len(pats) < 200 {
		t.Fatalf("found only %d @rx expressions in the CRS", len(pats))
	}
	filtered := 0
	for _, p := range pats {
		if p.filter != nil {
			filtered++
		}
	}
	t.Logf("%d CRS expressions, %d with a literal pre-filter", len(pats), filtered)
	values := corpusValues(t)
	if testing.Short() || raceEnabled {
		// A tenth; .ci/run runs the whole set without -race, next to the
		// CRS corpus.
		values = values[:len(values)/10]
	}
	for _, v := range values {
		// A few request bodies of the corpus are many kilobytes; Go's
		// regexp takes long on them for 264 expressions, and the fuzz
		// test covers long values.
		if len(v) <= 2048 {
			checkFilterSound(t, pats, v)
		}
	}
}

func TestLiteralFilterCases(t *testing.T) {
	cases := []struct {
		expr, value string
		match       bool
	}{
		{`(?i)select`, "SELECT", true},
		{`(?i)select`, "ſelect", true},    // U+017F folds to s
		{`(?i)kill`, "\u212aill", true},   // Kelvin sign folds to k
		{`(?i)[k]ill`, "\u212aill", true}, // ... in a class too
		{`a\x{FFFD}b`, "a\xffb", true},    // U+FFFD matches an invalid byte
		{`a[^x]b`, "a\xffb", true},        // and so does a negated class
		{`(?:union|select)\s+from`, "select  from", true},
		{`(?:union|select)\s+from`, "select from", true},
		{`foo(?:bar)?baz`, "foobaz", true},
		{`foo(?:bar)?baz`, "fooba", false},
		{`x(?:ab|cd)+y`, "xababcdy", true},
		{`^admin$`, "root\nadmin\nx", true},
		{`\bON\w+\s*=`, "onload =", false}, // case-sensitive expression
		{`\bON\w+\s*=`, "ONload =", true},
	}
	for _, c := range cases {
		expr := "(?sm)" + c.expr
		re := regexp.MustCompile(expr)
		if got := re.MatchString(c.value); got != c.match {
			t.Fatalf("test case wrong: %s on %q = %v", expr, c.value, got)
		}
		f := newLiteralFilter(expr)
		if f != nil && c.match && !f.mayMatch(c.value) {
			t.Errorf("%s: filter %q rules out %q, which matches", expr, f.strs, c.value)
		}
	}
	// The filter must rule something out, or it is no use.
	if f := newLiteralFilter(`(?sm)(?i)(?:union|select)\s+from`); f == nil || f.mayMatch("Bjørn O'Neill") {
		t.Errorf("filter for a keyword expression does not rule out a name: %+v", f)
	}
}

// FuzzLiteralFilter checks on arbitrary values that no CRS expression's
// filter rules out a value the expression matches.
func FuzzLiteralFilter(f *testing.F) {
	for _, s := range []string{"", "1 UNION SELECT 1", "<script>alert(1)</script>", "../../etc/passwd", "ſelect", "\u212a", "a\xffb", "${jndi:ldap://x}", ";cat /etc/passwd"} {
		f.Add(s)
	}
	pats := crsPatterns()
	f.Fuzz(func(t *testing.T, value string) {
		checkFilterSound(t, pats, value)
	})
}

// TestRXOperatorCaptures checks Warden's @rx through a real Coraza WAF:
// matches, non-matches (with and without a filter), captures of up to nine
// groups into TX.0-TX.9, and an expression of raw bytes.
func TestRXOperatorCaptures(t *testing.T) {
	registerOperators()
	waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithDirectives(`
SecRuleEngine On
SecRule ARGS:a "@rx (?i)(un)ion\s+(se)lect" "id:1,phase:1,pass,capture,setvar:tx.one=%{TX.0}|%{TX.1}|%{TX.2}"
SecRule ARGS:b "@rx ^(\d)(\d)?x" "id:2,phase:1,pass,capture,setvar:tx.two=%{TX.1}|%{TX.2}"
SecRule ARGS:c "@rx \xff\xfe" "id:3,phase:1,pass,setvar:tx.three=hit"
SecRule ARGS:d "@rx select" "id:4,phase:1,pass,setvar:tx.four=hit"
`))
	if err != nil {
		t.Fatal(err)
	}
	tx := waf.NewTransaction()
	defer tx.Close()
	tx.ProcessURI("/?a=1+UNION++SELECT+2&b=7x&c=%ff%fe&d=nothing+here", "GET", "HTTP/1.1")
	tx.ProcessRequestHeaders()
	st := tx.(plugintypes.TransactionState)
	get := func(name string) string {
		if v := st.Variables().TX().Get(name); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if got := get("one"); got != "UNION  SELECT|UN|SE" {
		t.Errorf("tx.one = %q", got)
	}
	if got := get("two"); got != "7|" {
		t.Errorf("tx.two = %q, want the unmatched group empty", got)
	}
	if got := get("three"); got != "hit" {
		t.Errorf("tx.three = %q: the byte expression did not match", got)
	}
	if got := get("four"); got != "" {
		t.Errorf("tx.four = %q: matched without the literal", got)
	}
}
