package backup

import (
	"context"
	"fmt"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

func (m *Manager) labels(name, target, severity string) alert.Labels {
	l := alert.Labels{alert.LabelAlertName: name, alert.LabelSource: "backup", "target": target}
	if severity != "" {
		l[alert.LabelSeverity] = severity
	}
	if m.opts.Environment != "" {
		l[alert.LabelEnvironment] = m.opts.Environment
	}
	return l
}

func (m *Manager) raise(ctx context.Context, name, target, severity, summary, description string) {
	now := m.opts.Clock.Now()
	a := alert.Alert{
		Labels:      m.labels(name, target, severity),
		Annotations: alert.Labels{alert.AnnotationSummary: summary, alert.AnnotationDescription: description},
		StartsAt:    now,
		UpdatedAt:   now,
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := m.opts.Alerts.Raise(actx, a); err != nil {
		m.opts.Logger.Error("raise backup alert", "alert", name, "target", target, "error", err)
	}
}

func (m *Manager) resolve(ctx context.Context, name, target string) {
	// Severity is part of the labels the alert was raised with.
	sev := "critical"
	if name == "BackupStale" {
		sev = "warning"
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := m.opts.Alerts.Resolve(actx, m.labels(name, target, sev), m.opts.Clock.Now()); err != nil {
		m.opts.Logger.Error("resolve backup alert", "alert", name, "target", target, "error", err)
	}
}

// CheckStale raises BackupStale for every target whose newest good backup
// is older than its max_age (or that has none, once Warden has run for
// max_age), and resolves it for the others. It returns the stale targets.
func (m *Manager) CheckStale(ctx context.Context) ([]string, error) {
	now := m.opts.Clock.Now()
	var stale []string
	for _, t := range m.Targets() {
		if t.MaxAge <= 0 {
			continue
		}
		recs, err := m.opts.Catalog.List(ctx, Filter{Target: t.Name, Status: StatusOK, Limit: 1})
		if err != nil {
			return stale, err
		}
		var desc string
		switch {
		case len(recs) == 0 && now.Sub(m.started) > t.MaxAge:
			desc = fmt.Sprintf("No backup of %s has succeeded in the %s Warden has been running (max_age %s).", t.Name, now.Sub(m.started).Round(time.Minute), t.MaxAge)
		case len(recs) > 0 && now.Sub(recs[0].FinishedAt) > t.MaxAge:
			desc = fmt.Sprintf("The newest good backup of %s (%s) finished %s ago, more than max_age %s.", t.Name, recs[0].ID, now.Sub(recs[0].FinishedAt).Round(time.Minute), t.MaxAge)
		}
		if desc == "" {
			m.resolve(ctx, "BackupStale", t.Name)
			continue
		}
		stale = append(stale, t.Name)
		m.raise(ctx, "BackupStale", t.Name, "warning", "No recent backup of "+t.Name, desc)
	}
	return stale, nil
}
