package logql

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

type rec struct {
	t      int64
	fields map[string]string
}

func (r rec) Get(f string) string {
	if f == FieldTime {
		return time.Unix(0, r.t).UTC().Format(time.RFC3339Nano)
	}
	return r.fields[f]
}
func (r rec) Time() int64 { return r.t }
func (r rec) row() Row {
	var out Row
	out = append(out, Field{FieldTime, r.Get(FieldTime)})
	names := make([]string, 0, len(r.fields))
	for k := range r.fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		out = append(out, Field{k, r.fields[k]})
	}
	return out
}

var base = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func r(sec int, kv ...string) rec {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return rec{t: base.Add(time.Duration(sec) * time.Second).UnixNano(), fields: m}
}

var corpus = []rec{
	r(0, "_msg", "user signed in", "level", "info", "path", "/api/auth/login", "status", "200", "duration_ms", "12"),
	r(10, "_msg", "connection refused by db", "level", "error", "path", "/api/payments", "status", "500", "duration_ms", "900"),
	r(70, "_msg", "payment failed: card declined", "level", "error", "path", "/api/payments", "status", "402", "duration_ms", "150", "user_id", "u1"),
	r(80, "_msg", "errors everywhere", "level", "warn", "path", "/health", "status", "200", "duration_ms", "1"),
	r(130, "_msg", "GET /api/users done", "level", "info", "path", "/api/users", "status", "200", "duration_ms", "30", "user_id", "u2"),
}

func run(t *testing.T, q string) []Row {
	t.Helper()
	query, err := Parse(q)
	if err != nil {
		t.Fatalf("Parse(%q): %v", q, err)
	}
	now := base.Add(time.Hour).UnixNano()
	rn := query.NewRunner()
	for _, c := range corpus {
		if query.Filter.Match(c, now) && !rn.Add(c.row()) {
			break
		}
	}
	rows, err := rn.Finish()
	if err != nil {
		t.Fatalf("run %q: %v", q, err)
	}
	return rows
}

func msgs(rows []Row) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Get("_msg"))
	}
	return strings.Join(out, "; ")
}

func TestFilters(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"error", ""}, // "errors" is not the word "error"
		{"err*", "errors everywhere"},
		{"refused", "connection refused by db"},
		{`"card declined"`, "payment failed: card declined"},
		{`"ard declined"`, ""},
		{"level:=error", "connection refused by db; payment failed: card declined"},
		{"level:=error and not refused", "payment failed: card declined"},
		{"level:=error -refused", "payment failed: card declined"},
		{"level:=error !refused", "payment failed: card declined"},
		{"status:>=500", "connection refused by db"},
		{"status:>200 or level:=warn", "connection refused by db; payment failed: card declined; errors everywhere"},
		{`path:="/api/"*`, "user signed in; connection refused by db; payment failed: card declined; GET /api/users done"},
		{"path:payments", "connection refused by db; payment failed: card declined"},
		{"user_id:in(u1, u2)", "payment failed: card declined; GET /api/users done"},
		{"user_id:*", "payment failed: card declined; GET /api/users done"},
		{"(level:=info or level:=warn) duration_ms:<20", "user signed in; errors everywhere"},
		{"*", "user signed in; connection refused by db; payment failed: card declined; errors everywhere; GET /api/users done"},
		{"level:!=info status:<300", "errors everywhere"},
		{"_time:30m", ""},
		{"_time:2h level:=warn", "errors everywhere"},
		{"'GET /api/users'", "GET /api/users done"},
	} {
		if got := msgs(run(t, tc.q)); got != tc.want {
			t.Errorf("%s:\n got  %q\n want %q", tc.q, got, tc.want)
		}
	}
}

func TestPipes(t *testing.T) {
	rows := run(t, "level:=error | stats count() n")
	if len(rows) != 1 || rows[0].Get("n") != "2" {
		t.Fatalf("count: %v", rows)
	}
	rows = run(t, "nothing_matches | stats count() n")
	if len(rows) != 1 || rows[0].Get("n") != "0" {
		t.Fatalf("empty count: %v", rows)
	}
	rows = run(t, "* | stats by (_time:1m) count() as n")
	got := []string{}
	for _, r := range rows {
		got = append(got, r.Get("_time")+"="+r.Get("n"))
	}
	if want := "2026-11-30T12:00:00Z=2 2026-11-30T12:01:00Z=2 2026-11-30T12:02:00Z=1"; strings.Join(got, " ") != want {
		t.Fatalf("by minute: %v", got)
	}
	rows = run(t, "* | stats by (level) count() n, sum(duration_ms) total, avg(duration_ms) avg, max(duration_ms) mx, min(status) mn, count_uniq(path) paths")
	if len(rows) != 3 || rows[0].Get("level") != "error" || rows[0].Get("total") != "1050" || rows[0].Get("avg") != "525" ||
		rows[0].Get("mx") != "900" || rows[0].Get("mn") != "402" || rows[0].Get("paths") != "1" {
		t.Fatalf("by level: %v", rows)
	}
	rows = run(t, "* | sort by (duration_ms desc) | limit 2 | fields _msg, duration_ms")
	if msgs(rows) != "connection refused by db; payment failed: card declined" || len(rows[0]) != 2 {
		t.Fatalf("sort limit fields: %v", rows)
	}
	rows = run(t, "* | stats count() by (path)")
	if len(rows) != 4 || rows[0].Get("count()") != "1" {
		t.Fatalf("count by path: %v", rows)
	}
	rows = run(t, "* | stats quantile(0.5, duration_ms) p50")
	if rows[0].Get("p50") == "" {
		t.Fatalf("quantile: %v", rows)
	}
}

func TestSketchError(t *testing.T) {
	sk := NewSketch()
	var vals []float64
	for i := 1; i <= 100000; i++ {
		v := float64(i%9973) * 0.37
		vals = append(vals, v)
		sk.Add(v)
	}
	sort.Float64s(vals)
	for _, phi := range []float64{0.5, 0.95, 0.99} {
		exact := vals[int(phi*float64(len(vals)-1))]
		got := sk.Quantile(phi)
		if math.Abs(got-exact) > SketchAccuracy*exact+1e-9 {
			t.Errorf("p%v: got %v want %v ±1%%", phi, got, exact)
		}
	}
}

func TestErrorsNameTheColumn(t *testing.T) {
	for _, tc := range []struct {
		q    string
		col  int
		frag string
	}{
		{"level:=", 8, "needs a value"},
		{"status:>abc", 9, "needs a number"},
		{"(a or b", 8, "expected ')'"},
		{"a | stats bogus()", 11, "stats function"},
		{"a | frobnicate", 5, "unknown pipe"},
		{`"unclosed`, 1, "never closed"},
		{"a | limit x", 11, "whole number"},
		{"_time:forever", 7, "not a duration"},
		{"a )", 3, "unexpected"},
	} {
		_, err := Parse(tc.q)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: want a SyntaxError, got %v", tc.q, err)
			continue
		}
		if se.Col != tc.col || !strings.Contains(se.Msg, tc.frag) {
			t.Errorf("%q: got %v; want column %d and %q", tc.q, err, tc.col, tc.frag)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, q := range []string{
		`level:=error | stats count() n`,
		`a or (b and not c:=d) path:="/x"* | sort by (_time desc) | limit 5`,
		`x:in(a, "b c") | stats by (_time:5m, path) quantile(0.95, d) p95, avg(d)`,
	} {
		a, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Parse(a.String())
		if err != nil {
			t.Fatalf("reparse %q: %v", a.String(), err)
		}
		if a.String() != b.String() {
			t.Errorf("round trip: %q -> %q", a.String(), b.String())
		}
	}
}

// FuzzParse checks that no query panics the parser, that errors are
// SyntaxErrors within the query, and that what parses prints to a query
// that parses to the same thing.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/queries/*.logsql")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, q string) {
		parsed, err := Parse(q)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: not a SyntaxError: %v", q, err)
			}
			if se.Col < 1 || se.Col > len([]rune(q))+1 {
				t.Fatalf("%q: column %d outside the query", q, se.Col)
			}
			return
		}
		again, err := Parse(parsed.String())
		if err != nil && strings.Contains(err.Error(), "nests deeper") {
			return // printing adds parentheses, so a query at the limit may pass it
		}
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", q, parsed.String(), err)
		}
		if again.String() != parsed.String() {
			t.Fatalf("%q: %q reparses as %q", q, parsed.String(), again.String())
		}
		rn := parsed.NewRunner()
		rn.Add(corpus[0].row())
		_, _ = rn.Finish()
		parsed.Filter.Match(corpus[1], 0)
		parsed.Filter.MayMatch(func(string) bool { return false })
	})
}

func TestFieldsNeeded(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"a", "all"},
		{"a | sort by (d) | limit 3", "all"},
		{"a | stats count() n", "[]"},
		{"a | stats by (_time:1m, path) quantile(0.9, d) p", "[_time path d]"},
		{"a | sort by (d) | fields x, y", "[d x y]"},
	} {
		q, err := Parse(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		got := "all"
		if f := q.Fields(); f != nil {
			got = "[" + strings.Join(f, " ") + "]"
		}
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.q, got, tc.want)
		}
	}
}
