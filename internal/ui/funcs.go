package ui

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/auth"
)

// Funcs returns the functions the UI's templates use, for a part to pass to
// template.New(...).Funcs before parsing its own templates:
//
//	csrfField      the hidden CSRF field every POST form needs: {{csrfField}}
//	hasScope       whether the signed-in principal has a scope: {{if hasScope "admin"}}
//	timeAgo        "3 minutes ago", "in 2 hours", "never" for the zero time
//	formatTime     "2006-01-02 15:04:05 UTC"; "—" for the zero time
//	formatDuration "1h 5m", "42s", "350ms"
//	statusClass    the badge class of a status: "ok", "warn", "fail" or "muted"
//	statusLabel    the word shown for a status: "OK", "Warning", "Failing", ...
//
// csrfField and hasScope only work in templates executed by Render, which
// binds them to the request; elsewhere they fail the execution.
func (u *UI) Funcs() template.FuncMap {
	unbound := errors.New("csrfField and hasScope work only in templates rendered by ui.Render")
	return template.FuncMap{
		"csrfField":      func() (template.HTML, error) { return "", unbound },
		"hasScope":       func(string) (bool, error) { return false, unbound },
		"timeAgo":        u.timeAgo,
		"formatTime":     formatTime,
		"formatDuration": formatDuration,
		"statusClass":    statusClass,
		"statusLabel":    statusLabel,
	}
}

// requestFuncs binds csrfField and hasScope to r.
func (u *UI) requestFuncs(r *http.Request) template.FuncMap {
	p, _ := auth.FromContext(r.Context())
	return template.FuncMap{
		"csrfField": func() template.HTML { return CSRFField(r) },
		"hasScope":  p.Has,
	}
}

func (u *UI) timeAgo(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := u.now().Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < 10*time.Second:
		return "just now"
	case d < time.Minute:
		s = plural(int(d/time.Second), "second")
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		s = plural(int(d/(24*time.Hour)), "day")
	default:
		return formatTime(t)
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// formatTime shows times in UTC, named as such: a team spread over time
// zones, and log lines, agree on UTC.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// formatDuration rounds d to the two largest units that matter to a reader.
func formatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + formatDuration(-d)
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		d = d.Round(time.Second)
		return joinUnits(int(d/time.Minute), "m", int(d%time.Minute/time.Second), "s")
	case d < 24*time.Hour:
		d = d.Round(time.Minute)
		return joinUnits(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	}
	d = d.Round(time.Hour)
	return joinUnits(int(d/(24*time.Hour)), "d", int(d%(24*time.Hour)/time.Hour), "h")
}

func joinUnits(a int, au string, b int, bu string) string {
	if b == 0 {
		return fmt.Sprintf("%d%s", a, au)
	}
	return fmt.Sprintf("%d%s %d%s", a, au, b, bu)
}

// statusClass maps the status words the parts use to the four badge
// colours of the stylesheet.
func statusClass(status string) string {
	switch strings.ToLower(status) {
	case "ok", "up", "passing", "resolved", "success", "healthy", "verified":
		return "ok"
	case "warn", "warning", "degraded", "pending", "silenced", "stale":
		return "warn"
	case "fail", "failing", "down", "error", "critical", "firing", "failed":
		return "fail"
	}
	return "muted"
}

// statusLabel is the word a badge shows: the status's class in plain words,
// or the status itself when it is none of the known ones.
func statusLabel(status string) string {
	switch strings.ToLower(status) {
	case "ok":
		return "OK"
	case "warn":
		return "Warning"
	case "fail":
		return "Failing"
	case "":
		return ""
	}
	return strings.ToUpper(status[:1]) + status[1:]
}
