package render

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var now = time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC)

func firingGroup() *alert.Notification {
	common := alert.Labels{"alertname": "HighErrorRate", "environment": "production", "service": "api", "severity": "critical", "source": "logs"}
	a1 := alert.Alert{
		Labels: withLabel(common, "route", "/api/pay"),
		Annotations: alert.Labels{
			"summary":     "Error rate above 5% on /api/pay",
			"description": "5xx responses are 7.2% of requests over the last 5 minutes.\nSee the gateway log for the failing upstream.",
			"value":       "7.2%",
			"runbook_url": "https://warden.example.com/runbooks/app-errors",
		},
		StartsAt:     now.Add(-5 * time.Minute),
		GeneratorURL: "https://warden.example.com/logs?q=level%3Aerror&env=production",
	}
	a2 := alert.Alert{
		Labels:      withLabel(common, "route", "/api/refund"),
		Annotations: alert.Labels{"summary": "Error rate above 5% on /api/refund", "value": "<b>12%</b>"},
		StartsAt:    now.Add(-90 * time.Minute),
	}
	return &alert.Notification{
		Receiver: "ops-slack", GroupKey: "{}:{alertname=\"HighErrorRate\"}", Status: alert.Firing,
		GroupLabels: alert.Labels{"alertname": "HighErrorRate"}, CommonLabels: common,
		Alerts: []alert.Alert{a1, a2}, ExternalURL: "https://warden.example.com", Now: now,
	}
}

func resolvedGroup() *alert.Notification {
	labels := alert.Labels{"alertname": "CheckDown", "environment": "production", "check": "api-health", "source": "uptime"}
	a := alert.Alert{
		Labels:      labels,
		Annotations: alert.Labels{"summary": "api-health is down", "runbook_url": "https://runbooks.example.com/api-down"},
		StartsAt:    now.Add(-26 * time.Hour), EndsAt: now.Add(-time.Minute),
		GeneratorURL: "https://warden.example.com/checks/api-health",
	}
	return &alert.Notification{
		Receiver: "ops-email", GroupKey: "{}:{alertname=\"CheckDown\"}", Status: alert.Resolved,
		GroupLabels: alert.Labels{"alertname": "CheckDown"}, CommonLabels: labels,
		Alerts: []alert.Alert{a}, ExternalURL: "https://warden.example.com", Now: now,
	}
}

func withLabel(l alert.Labels, k, v string) alert.Labels {
	out := l.Clone()
	out[k] = v
	return out
}

func TestTitle(t *testing.T) {
	for _, tc := range []struct {
		n    *alert.Notification
		want string
	}{
		{firingGroup(), "[FIRING:2] HighErrorRate (production, api)"},
		{resolvedGroup(), "[RESOLVED] CheckDown (production, api-health)"},
		{&alert.Notification{CommonLabels: alert.Labels{"alertname": "X\nY"}, Now: now}, "[RESOLVED] X Y"},
	} {
		if got := Title(tc.n); got != tc.want {
			t.Errorf("Title = %q, want %q", got, tc.want)
		}
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    *alert.Notification
	}{
		{"firing", firingGroup()},
		{"resolved", resolvedGroup()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html, err := HTML(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".txt", Text(tc.n))
			golden(t, tc.name+".html", html)
		})
	}
}

func TestHTMLEscapes(t *testing.T) {
	n := firingGroup()
	n.Alerts[0].Annotations["runbook_url"] = "javascript:alert(1)"
	html, err := HTML(n)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<b>12%</b>") || !strings.Contains(html, "&lt;b&gt;12%&lt;/b&gt;") {
		t.Error("annotation value not escaped")
	}
	if strings.Contains(html, "javascript:") {
		t.Error("javascript: link kept")
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 45 * time.Second: "45s", 5*time.Minute + 30*time.Second: "5m",
		time.Hour: "1h", 90 * time.Minute: "1h30m", 26 * time.Hour: "1d2h", 48 * time.Hour: "2d",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
