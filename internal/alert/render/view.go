// Package render turns an alert notification into the words people read:
// a one-line title for subjects and chat previews, and a plain-text and an
// HTML body that say what fires, where, since when, the value that crossed
// the line, and where to look next (the Warden page and the runbook).
//
// Every channel renders from the same View, so Slack, email and the delivery
// log tell the same story. Output is deterministic (labels sorted, times in
// UTC) so tests can compare it with golden files.
package render

import (
	"sort"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

// LabelCheck names the uptime check an alert is about; with environment and
// service it answers "where".
const LabelCheck = "check"

// whereLabels are shown on their own line, in this order, because they tell
// the on-call person where to look; every other label goes to Labels.
var whereLabels = []string{alert.LabelEnvironment, alert.LabelService, LabelCheck}

// Label is one name=value pair, kept in a slice so the order is fixed.
type Label struct {
	Name, Value string
}

// Alert is one alert as people read it.
type Alert struct {
	Name        string
	Firing      bool
	Summary     string
	Description string
	// Value is the measurement that crossed the threshold (annotation value).
	Value string
	// Where holds the environment, service and check labels that are set.
	Where []Label
	// Labels holds the remaining labels but alertname, sorted by name.
	Labels []Label
	// Since is when it started, with how long ago relative to the
	// notification ("2026-03-01 14:00:00 UTC (for 5m)").
	Since string
	// ResolvedAt is when it cleared and how long it lasted; empty while firing.
	ResolvedAt string
	// URL is the Warden page that shows the cause.
	URL        string
	RunbookURL string
}

// Heading is the alert's first line: its name and summary.
func (a Alert) Heading() string {
	switch {
	case a.Summary == "":
		return a.Name
	case a.Name == "":
		return a.Summary
	}
	return a.Name + ": " + a.Summary
}

// WhereText prints Where as "environment=production, service=api".
func (a Alert) WhereText() string { return joinLabels(a.Where) }

// LabelsText prints Labels as "severity=critical, source=logs".
func (a Alert) LabelsText() string { return joinLabels(a.Labels) }

// View is a notification prepared for rendering.
type View struct {
	Title    string
	Firing   []Alert
	Resolved []Alert
	// ExternalURL is Warden's own address, for the footer.
	ExternalURL string
	// Test marks a notification sent by `warden alerts test`.
	Test bool
}

// NewView prepares n for rendering; times are shown in UTC and relative to
// n.Now so the same notification always renders the same way.
func NewView(n *alert.Notification) *View {
	v := &View{Title: Title(n), ExternalURL: n.ExternalURL, Test: n.Test}
	now := n.Now
	if now.IsZero() {
		now = time.Now()
	}
	for _, a := range n.Alerts {
		ra := newAlert(a, now, n.ExternalURL)
		if ra.Firing {
			v.Firing = append(v.Firing, ra)
		} else {
			v.Resolved = append(v.Resolved, ra)
		}
	}
	return v
}

func newAlert(a alert.Alert, now time.Time, externalURL string) Alert {
	out := Alert{
		Name:        a.Name(),
		Firing:      a.StateAt(now) == alert.Firing,
		Summary:     oneLine(a.Annotations[alert.AnnotationSummary]),
		Description: strings.TrimSpace(a.Annotations[alert.AnnotationDescription]),
		Value:       oneLine(a.Annotations[alert.AnnotationValue]),
		URL:         a.GeneratorURL,
		RunbookURL:  strings.TrimSpace(a.Annotations[alert.AnnotationRunbook]),
	}
	if out.URL == "" {
		out.URL = externalURL
	}
	where := map[string]bool{}
	for _, name := range whereLabels {
		where[name] = true
		if v := a.Labels[name]; v != "" {
			out.Where = append(out.Where, Label{name, v})
		}
	}
	for name, v := range a.Labels {
		if name != alert.LabelAlertName && !where[name] {
			out.Labels = append(out.Labels, Label{name, v})
		}
	}
	sort.Slice(out.Labels, func(i, j int) bool { return out.Labels[i].Name < out.Labels[j].Name })
	if !a.StartsAt.IsZero() {
		out.Since = stamp(a.StartsAt)
		if out.Firing {
			out.Since += " (for " + Duration(now.Sub(a.StartsAt)) + ")"
		}
	}
	if !out.Firing {
		out.ResolvedAt = stamp(a.EndsAt)
		if !a.StartsAt.IsZero() {
			out.ResolvedAt += " (lasted " + Duration(a.EndsAt.Sub(a.StartsAt)) + ")"
		}
	}
	return out
}

// Title is the notification's one-line summary: "[FIRING:2] HighErrorRate
// (production, api)" or "[RESOLVED] HighErrorRate (production, api)". The
// parenthesis holds the environment, service and check the alerts share, so
// a phone's lock screen already says where.
func Title(n *alert.Notification) string {
	t := n.Title()
	var ctx []string
	for _, name := range whereLabels {
		v := n.CommonLabels[name]
		if v != "" && (len(ctx) == 0 || ctx[len(ctx)-1] != v) {
			ctx = append(ctx, v)
		}
	}
	if len(ctx) > 0 {
		t += " (" + strings.Join(ctx, ", ") + ")"
	}
	return oneLine(t)
}

func joinLabels(ls []Label) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Name + "=" + l.Value
	}
	return strings.Join(parts, ", ")
}

// oneLine folds newlines so an annotation cannot break a heading (or, in
// mail, a header).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
