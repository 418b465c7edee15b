// Package alert is Warden's one alert router. Every part (log alarms, error
// issues, uptime checks, backups, the gateway) raises and resolves alerts
// through the Raiser interface; the router silences, groups, deduplicates
// and delivers them to Slack, email and webhooks with Alertmanager's
// semantics, and records every delivery attempt.
//
// The pipeline has explicit stages, wired in Router:
//
//	Raise/Resolve -> store alert state -> match routes -> aggregation group
//	  -> (group_wait / group_interval / repeat_interval timers) -> silences
//	  -> notification log (send only what changed) -> channel with retries
//	  -> delivery log
package alert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// Labels identify an alert; equal labels mean the same alert.
type Labels map[string]string

// Well-known label and annotation names.
const (
	LabelAlertName   = "alertname"
	LabelSource      = "source"
	LabelSeverity    = "severity"
	LabelEnvironment = "environment"
	LabelService     = "service"

	AnnotationSummary     = "summary"
	AnnotationDescription = "description"
	AnnotationRunbook     = "runbook_url"
	AnnotationValue       = "value"
)

// Fingerprint is a stable identity for a label set: 16 hex digits of the
// SHA-256 of the sorted name=value pairs, the same width Alertmanager shows.
func (l Labels) Fingerprint() string {
	h := sha256.New()
	for _, k := range l.sortedNames() {
		h.Write([]byte(k))
		h.Write([]byte{0xff})
		h.Write([]byte(l[k]))
		h.Write([]byte{0xff})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func (l Labels) sortedNames() []string {
	names := make([]string, 0, len(l))
	for k := range l {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// String prints labels as {a="1", b="2"} in name order.
func (l Labels) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range l.sortedNames() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(l[k])
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// Clone returns a copy that can be changed without touching l.
func (l Labels) Clone() Labels {
	out := make(Labels, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}

// State is whether an alert is firing or resolved.
type State string

// Alert states.
const (
	Firing   State = "firing"
	Resolved State = "resolved"
)

// Alert is one condition that needs a person's attention.
type Alert struct {
	// Labels identify the alert: alertname, source, severity, environment,
	// service, check, ... Two raises with equal labels are the same alert.
	Labels Labels `json:"labels"`
	// Annotations describe it: summary, description, runbook_url, value.
	Annotations Labels `json:"annotations"`
	// StartsAt is when the condition began; EndsAt when it cleared (zero
	// while firing).
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
	// GeneratorURL links to the Warden page that shows the cause.
	GeneratorURL string `json:"generatorURL,omitempty"`
	// UpdatedAt is when the router last heard of it.
	UpdatedAt time.Time `json:"updatedAt"`
}

// Name is the alertname label.
func (a *Alert) Name() string { return a.Labels[LabelAlertName] }

// Fingerprint identifies the alert by its labels.
func (a *Alert) Fingerprint() string { return a.Labels.Fingerprint() }

// StateAt says whether the alert is firing or resolved at t.
func (a *Alert) StateAt(t time.Time) State {
	if !a.EndsAt.IsZero() && !a.EndsAt.After(t) {
		return Resolved
	}
	return Firing
}

// Raiser is how every part of Warden raises and resolves alerts. Raising the
// same labels again while firing refreshes the alert and sends nothing new;
// resolving an alert that is not firing does nothing.
type Raiser interface {
	Raise(ctx context.Context, a Alert) error
	Resolve(ctx context.Context, labels Labels, at time.Time) error
}

// Discard is a Raiser that drops everything, for parts run without a router.
type Discard struct{}

// Raise drops the alert.
func (Discard) Raise(context.Context, Alert) error { return nil }

// Resolve does nothing.
func (Discard) Resolve(context.Context, Labels, time.Time) error { return nil }
