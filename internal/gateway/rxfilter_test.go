package gateway

import (
	"html"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	crstests "github.com/corazawaf/coraza-coreruleset/v4/tests"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
)

// crsOperators calls fn with the submatches of op in every rule file of
// the CRS Warden embeds.
func crsOperators(op *regexp.Regexp, fn func(m []string)) {
	_ = fs.WalkDir(coreruleset.FS, "@owasp_crs", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".conf") {
			return err
		}
		b, err := fs.ReadFile(coreruleset.FS, path)
		if err != nil {
			return err
		}
		for _, m := range op.FindAllStringSubmatch(string(b), -1) {
			fn(m)
		}
		return nil
	})
}

// crsPatterns are the Go expressions (with Coraza's (?sm) prefix) of every
// @rx operator in the CRS Warden embeds, each with its filter, and the RE2
// set over those that the set takes.
var crsPatterns = sync.OnceValue(func() crsRx {
	var out crsRx
	var setExprs []string
	seen := map[string]bool{}
	crsOperators(regexp.MustCompile(`"@rx ((?:[^"\\]|\\.)*)"`), func(m []string) {
		expr := "(?sm)" + strings.ReplaceAll(m[1], `\"`, `"`)
		if seen[expr] || matchesArbitraryBytes(expr) {
			return
		}
		seen[expr] = true
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		p := filteredRx{re: re, filter: newLiteralFilter(expr), setIndex: -1}
		if re2Agrees(expr) {
			p.setIndex = len(setExprs)
			setExprs = append(setExprs, expr)
		}
		out.pats = append(out.pats, p)
	})
	out.set = compileRXSet(setExprs)
	return out
})

type crsRx struct {
	pats []filteredRx
	set  *rxSet
}

type filteredRx struct {
	re       *regexp.Regexp
	filter   *literalFilter
	setIndex int
}

// checkFilterSound fails when a filter or the set rules out a value its
// expression matches: the one thing neither may ever do.
func checkFilterSound(t testing.TB, crs crsRx, value string) {
	bits := make([]uint64, crs.set.words)
	setSays := crs.set.match(value, bits)
	for _, p := range crs.pats {
		filterSays := p.filter == nil || p.filter.mayMatch(value)
		inSet := !setSays || p.setIndex < 0 || bits[p.setIndex/64]&(1<<(p.setIndex%64)) != 0
		if (!filterSays || !inSet) && p.re.MatchString(value) {
			t.Errorf("filter %v, RE2 set %v: %q ruled out, but %s matches it", filterSays, inSet, value, p.re)
		}
	}
}

// corpusSample is the corpus's values for the soundness tests: all of
// them normally (.ci/run runs these tests without -race, next to the CRS
// corpus), a tenth with -short, a hundredth under -race, where RE2's
// compiled-to-Go code runs some thirty times slower.
func corpusSample(t testing.TB) []string {
	values := corpusValues(t)
	switch {
	case raceEnabled:
		return values[:len(values)/100]
	case testing.Short():
		return values[:len(values)/10]
	}
	return values
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
	crs := crsPatterns()
	if len(crs.pats) < 200 {
		t.Fatalf("found only %d @rx expressions in the CRS", len(crs.pats))
	}
	if crs.set.set == nil || crs.set.n < 200 {
		t.Fatalf("the RE2 set over the CRS did not compile or is small: %+v", crs.set)
	}
	filtered := 0
	for _, p := range crs.pats {
		if p.filter != nil {
			filtered++
		}
	}
	t.Logf("%d CRS expressions, %d with a literal pre-filter, %d in the RE2 set", len(crs.pats), filtered, crs.set.n)
	values := corpusSample(t)
	for _, v := range values {
		// A few request bodies of the corpus are many kilobytes; Go's
		// regexp takes long on them for 264 expressions, and the fuzz
		// test covers long values.
		if len(v) <= 2048 {
			checkFilterSound(t, crs, v)
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
		{`a.b`, "a\x00b", true}, // NUL is a character like any other
		{`a\x00?c`, "xa\x00c", true},
		{`(?i)cat\s+/etc`, "cat\x00/etc", false},
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
	// The set over all the cases, each case's value against its own
	// expression: exact on valid UTF-8, no answer otherwise.
	var exprs []string
	for _, c := range cases {
		exprs = append(exprs, "(?sm)"+c.expr)
	}
	set := compileRXSet(exprs)
	for i, c := range cases {
		bits := make([]uint64, set.words)
		ok := set.match(c.value, bits)
		if ok != utf8.ValidString(c.value) {
			t.Errorf("set answered %v for %q", ok, c.value)
		}
		if got := bits[i/64]&(1<<(i%64)) != 0; ok && got != c.match {
			t.Errorf("%s: RE2 set says %v for %q, want %v", c.expr, got, c.value, c.match)
		}
	}
	if re2Agrees(`(?sm)\p{L}+x`) || re2Agrees(`(?sm)ø+x`) || !re2Agrees(`(?sm)(?i)select\s+from`) {
		t.Error("re2Agrees is wrong about which expressions depend on Unicode tables")
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
	crs := crsPatterns()
	f.Fuzz(func(t *testing.T, value string) {
		checkFilterSound(t, crs, value)
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
SecRule ARGS:e "@rx \xfe(\xff+)" "id:5,phase:1,pass,capture,setvar:tx.five=%{TX.1}|%{TX.0}"
`))
	if err != nil {
		t.Fatal(err)
	}
	rxExprs.build() // what NewWAF starts in the background
	tx := waf.NewTransaction()
	tx.ProcessURI("/?a=1+UNION++SELECT+2&b=7x&c=%ff%fe&d=nothing+here&e=x%fe%ff%ffy", "GET", "HTTP/1.1")
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
	if got := get("five"); got != "\xff\xff|\xfe\xff\xff" {
		t.Errorf("tx.five = %q: the byte expression's captures", got)
	}
	if memo, _ := (*tx.(interface{ OperatorScratch() *any }).OperatorScratch()).(*rxMemo); memo == nil || len(memo.offset) == 0 {
		t.Error("the transaction kept no RE2 set answers")
	}

	// A pooled transaction starts with an empty memo, and the same rules
	// answer for new values.
	tx.Close()
	tx2 := waf.NewTransaction()
	defer tx2.Close()
	if memo, _ := (*tx2.(interface{ OperatorScratch() *any }).OperatorScratch()).(*rxMemo); memo != nil && len(memo.offset) != 0 {
		t.Errorf("a new transaction starts with %d remembered values", len(memo.offset))
	}
	tx2.ProcessURI("/?a=no+union+here&d=select", "GET", "HTTP/1.1")
	tx2.ProcessRequestHeaders()
	st = tx2.(plugintypes.TransactionState)
	if got := get("one"); got != "" {
		t.Errorf("tx.one = %q on a value that does not match", got)
	}
	if got := get("four"); got != "hit" {
		t.Errorf("tx.four = %q, want hit", got)
	}
}

// TestRXSetConcurrent runs the CRS set from several goroutines at once, as
// concurrent requests do, and wants the answers it gives alone.
func TestRXSetConcurrent(t *testing.T) {
	crs := crsPatterns()
	values := corpusSample(t)
	values = values[:min(len(values), 200)]
	want := make([][]uint64, len(values))
	for i, v := range values {
		want[i] = make([]uint64, crs.set.words)
		crs.set.match(v, want[i])
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range values {
				i = (i + g*37) % len(values)
				got := make([]uint64, crs.set.words)
				crs.set.match(values[i], got)
				if !slices.Equal(got, want[i]) {
					t.Errorf("value %q: %x concurrently, %x alone", values[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestRXRegistryAdd: an expression is numbered once; one that depends on
// Unicode tables, or too large to share the set's memory, stays out.
func TestRXRegistryAdd(t *testing.T) {
	r := &rxRegistry{index: map[string]int{}}
	a, b := r.add(`(?sm)foo\d+`), r.add(`(?sm)bar`)
	if a < 0 || b != a+1 || r.add(`(?sm)foo\d+`) != a {
		t.Errorf("numbers %d, %d, then %d for the first again", a, b, r.add(`(?sm)foo\d+`))
	}
	if r.add(`(?sm)\pL`) != -1 || r.add(strings.Repeat("x", rxSetMaxExpr+1)) != -1 {
		t.Error("the set took an expression it must leave out")
	}
	if s := r.build(); s.set == nil || s.n != 2 {
		t.Errorf("set over %d expressions, compiled %v", s.n, s.set != nil)
	}
}

// BenchmarkRXEngines answers "which CRS expressions match this value?"
// for typical values of a payment request: with Go's regexp one
// expression at a time (Coraza's way), with Warden's literal pre-filter in
// front (the gateway's way before the set), and with one pass of the RE2
// set (now); the first two are the baselines of the third.
//
//	go test -run xxx -bench RXEngines ./internal/gateway/
func BenchmarkRXEngines(b *testing.B) {
	crs := crsPatterns()
	values := []string{"6f1c2a7e-3b7d-4e7a-9a51-0c2d9e8b7a11", "bjørn o'neill", "ærø café as", "1249.50", "nok",
		"invoice 2024-117", "no9386011117947", "payments", "/api/payments/6f1c2a7e-3b7d-4e7a-9a51-0c2d9e8b7a11?expand=payer",
		"mozilla/5.0 (x11; linux x86_64) applewebkit/537.36 (khtml, like gecko) chrome/120.0 safari/537.36", "application/json"}
	b.Run("go-regexp-each", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, v := range values {
				for _, p := range crs.pats {
					p.re.MatchString(v)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(values)), "ns/value")
	})
	b.Run("filter-then-go-regexp", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, v := range values {
				for _, p := range crs.pats {
					if p.filter == nil || p.filter.mayMatch(v) {
						p.re.MatchString(v)
					}
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(values)), "ns/value")
	})
	b.Run("re2-set", func(b *testing.B) {
		bits := make([]uint64, crs.set.words)
		for i := 0; i < b.N; i++ {
			for _, v := range values {
				clear(bits)
				crs.set.match(v, bits)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(values)), "ns/value")
	})
}
