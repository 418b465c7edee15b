package app

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/alertsql"
)

// A bare runbook id in an alert's runbook_url becomes the runbook's page
// under public_url; a URL is kept as it is.
func TestAlertRunbookIDBecomesUILink(t *testing.T) {
	cfg := testConfig(t)
	cfg.PublicURL = "https://warden.example.com"
	a := startTestApp(t, cfg)
	ctx := context.Background()
	for name, ref := range map[string]string{"ById": "disk-filling", "ByURL": "https://wiki.example.com/x"} {
		err := a.Alerts.Raise(ctx, alert.Alert{Labels: alert.Labels{alert.LabelAlertName: name}, Annotations: alert.Labels{alert.AnnotationRunbook: ref}})
		if err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	list, err := alertsql.New(a.DB).ListAlerts(ctx, time.Now().Add(-time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, al := range list {
		got[al.Name()] = al.Annotations[alert.AnnotationRunbook]
	}
	if got["ById"] != "https://warden.example.com/ui/runbooks/disk-filling" || got["ByURL"] != "https://wiki.example.com/x" {
		t.Fatalf("stored runbook links: %v", got)
	}
}
