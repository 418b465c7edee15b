package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/alertsql"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/ui/uitest"
)

const diskRunbook = `---
id: disk-filling
title: Disk filling
severity: warning
owner: platform
escalation:
  - Platform on-call
  - Platform lead
---

## Symptoms

The disk is **nearly full**. See [Warden down](warden-down.md).

## Diagnosis

` + "```logsql\n_time:1h | stats by (service) count() n\n```" + `

## Solutions

Free space.

## Escalation

Call the lead.
`

// In a real browser: an alert naming a runbook by id links, on the Alerts
// page, to the runbook's page; that page shows the rendered runbook, the
// alert and its firings; the index lists the runbook and an alert that
// names a runbook that does not exist.
func TestRunbooksPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	dir := t.TempDir()
	down := strings.NewReplacer("disk-filling", "warden-down", "Disk filling", "Warden is down", "warden-down.md", "disk-filling.md").Replace(diskRunbook)
	for name, body := range map[string]string{"disk-filling.md": diskRunbook, "warden-down.md": down} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig(t)
	cfg.UI.Users = []config.User{uiUser("ops")}
	cfg.Runbooks.Dir = dir
	a := startTestApp(t, cfg)
	ctx := context.Background()

	disk := alert.Labels{alert.LabelAlertName: "DiskAlmostFull", alert.LabelSeverity: "warning", "host": "db1"}
	for _, al := range []alert.Alert{
		{Labels: alert.Labels{alert.LabelAlertName: "DiskAlmostFull", alert.LabelSeverity: "warning", "host": "db2"},
			Annotations: alert.Labels{alert.AnnotationSummary: "db2 disk 95% full", alert.AnnotationRunbook: "disk-filling"}},
		{Labels: disk, Annotations: alert.Labels{alert.AnnotationSummary: "db1 disk 91% full", alert.AnnotationRunbook: "disk-filling"}},
		{Labels: alert.Labels{alert.LabelAlertName: "Mystery"}, Annotations: alert.Labels{alert.AnnotationRunbook: "no-such-runbook"}},
	} {
		if err := a.Alerts.Raise(ctx, al); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Alerts.Resolve(ctx, disk, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The bare id was stored as the link to the runbook's page.
	stored, err := alertsql.New(a.DB).ListAlerts(ctx, time.Now().Add(-time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, al := range stored {
		if al.Name() == "DiskAlmostFull" && al.Annotations[alert.AnnotationRunbook] != "/ui/runbooks/disk-filling" {
			t.Fatalf("runbook annotation stored as %q", al.Annotations[alert.AnnotationRunbook])
		}
	}

	b := uitest.Browser(t)
	uitest.SignIn(t, b, a.URL(), "ops", "correct horse")
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(b, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	// From the Alerts page, follow the alert's runbook link.
	err = chromedp.Do(b,
		chromedp.Navigate(a.URL()+"/ui/alerts"),
		chromedp.WaitVisible(`//tr[contains(., "db2 disk 95% full")]//a[text()="runbook"]`),
		chromedp.Click(`//tr[contains(., "db2 disk 95% full")]//a[text()="runbook"]`),
		chromedp.WaitVisible(chromedp.CSS(`#runbook-body`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc := location(); !strings.HasSuffix(loc, "/ui/runbooks/disk-filling") {
		t.Errorf("the runbook link led to %s", loc)
	}
	page := text("main")
	for _, want := range []string{"Disk filling", "Platform lead", "Alerts that point here", "DiskAlmostFull", "db2 disk 95% full", "db1 disk 91% full", "still firing", "Resolved", "Symptoms", "nearly full", "stats by (service)"} {
		if !strings.Contains(page, want) {
			t.Errorf("runbook page lacks %q:\n%s", want, page)
		}
	}
	if strong, fired := text(`#runbook-body strong`), text(`#pointing tbody td.num`); strong != "nearly full" || fired != "2" {
		t.Errorf("markdown bold = %q, fired count = %q", strong, fired)
	}
	uitest.Screenshot(t, b, "runbook.png")
	// A link between runbooks leads to the other runbook's page.
	err = chromedp.Do(b,
		chromedp.Click(`//article//a[text()="Warden down"]`),
		chromedp.WaitVisible(`//main[contains(., "Warden is down")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc := location(); !strings.HasSuffix(loc, "/ui/runbooks/warden-down") {
		t.Errorf("the link between runbooks led to %s", loc)
	}
	// The index lists both and the reference to a missing runbook.
	if err := chromedp.Do(b, chromedp.Navigate(a.URL()+"/ui/runbooks"), chromedp.WaitVisible(chromedp.CSS(`#runbooks`))); err != nil {
		t.Fatal(err)
	}
	page = text("main")
	for _, want := range []string{"Disk filling", "Warden is down", "1 firing", "no-such-runbook", "Mystery"} {
		if !strings.Contains(page, want) {
			t.Errorf("runbook index lacks %q:\n%s", want, page)
		}
	}
	// The overview's panel names the firing alert's runbook and the
	// alert that names a missing one.
	if err := chromedp.Do(b, chromedp.Navigate(a.URL()+"/ui/")); err != nil {
		t.Fatal(err)
	}
	page = text("main")
	for _, want := range []string{"Runbooks", "2 runbook(s).", "Alerts naming a missing runbook"} {
		if !strings.Contains(page, want) {
			t.Errorf("overview lacks %q:\n%s", want, page)
		}
	}
	// An unknown id answers 404 inside the layout.
	if err := chromedp.Do(b, chromedp.Navigate(a.URL()+"/ui/runbooks/no-such-runbook")); err != nil {
		t.Fatal(err)
	}
	if page := text("main"); !strings.Contains(page, `There is no runbook "no-such-runbook"`) {
		t.Errorf("unknown runbook page:\n%s", page)
	}
}
