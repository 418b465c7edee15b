package ui

import (
	"bytes"
	"html/template"
	"testing"
	"time"
)

func TestTimeAgo(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	u := &UI{now: func() time.Time { return now }}
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "never"},
		{now.Add(-3 * time.Second), "just now"},
		{now.Add(-42 * time.Second), "42 seconds ago"},
		{now.Add(-time.Minute), "1 minute ago"},
		{now.Add(-5 * time.Hour), "5 hours ago"},
		{now.Add(-72 * time.Hour), "3 days ago"},
		{now.Add(2 * time.Hour), "in 2 hours"},
		{now.Add(-400 * 24 * time.Hour), "2025-01-25 12:00:00 UTC"},
	} {
		if got := u.timeAgo(tc.t); got != tc.want {
			t.Errorf("timeAgo(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		350 * time.Millisecond:         "350ms",
		42 * time.Second:               "42s",
		5*time.Minute + 3*time.Second:  "5m 3s",
		time.Hour:                      "1h",
		26*time.Hour + 10*time.Minute:  "1d 2h",
		-90 * time.Second:              "-1m 30s",
		90*time.Minute + 1*time.Second: "1h 30m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestStatusWords(t *testing.T) {
	for in, want := range map[string][2]string{
		"ok": {"ok", "OK"}, "warn": {"warn", "Warning"}, "fail": {"fail", "Failing"},
		"down": {"fail", "Down"}, "firing": {"fail", "Firing"}, "": {"muted", ""}, "unknown": {"muted", "Unknown"},
	} {
		if c, l := statusClass(in), statusLabel(in); c != want[0] || l != want[1] {
			t.Errorf("%q: class %q label %q, want %v", in, c, l, want)
		}
	}
}

func TestUnboundFuncsFail(t *testing.T) {
	u := &UI{now: time.Now}
	tmpl := template.Must(template.New("x").Funcs(u.Funcs()).Parse(`<form>{{csrfField}}</form>`))
	if err := tmpl.Execute(&bytes.Buffer{}, nil); err == nil {
		t.Fatal("csrfField outside Render did not fail")
	}
}
