package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/ui/uitest"
)

// In a real browser: the audit page lists the trail, filters it, shows an
// event with its inclusion proof, runs a verification, and shows a failed
// one after the database was tampered with.
func TestAuditPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	cfg := testConfig(t)
	cfg.UI.Users = []config.User{uiUser("auditor", "read", "audit")}
	a := startTestApp(t, cfg)
	ctx := context.Background()
	for i := range 8 {
		ev := audit.Event{Actor: audit.Actor{Type: audit.ActorUser, ID: fmt.Sprintf("u-%d", i%2)}, Action: "payment.initiated",
			Target: audit.Target{Type: "payment", ID: fmt.Sprintf("pay-%d", i)}, Outcome: audit.Success, ClientIP: "203.0.113.9"}
		if i == 5 {
			ev.Action, ev.Outcome = "auth.login.failure", audit.Failure
		}
		if _, err := a.Audit.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}

	b := uitest.Browser(t)
	uitest.SignIn(t, b, a.URL(), "auditor", "correct horse")
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	if err := chromedp.Do(b, chromedp.Navigate(a.URL()+"/ui/audit"), chromedp.WaitVisible(chromedp.CSS(`#audit-events`))); err != nil {
		t.Fatal(err)
	}
	if s := text("#audit-total"); !strings.Contains(s, "8 matching") {
		t.Fatalf("total: %q", s)
	}
	if s := text("#verify-status"); s != "Not verified" {
		t.Fatalf("status before any verification: %q", s)
	}
	// An auditor (read, audit) verifies but does not write checkpoints.
	if n, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("#checkpoint-now").length`)); err != nil || n != 0 {
		t.Fatalf("checkpoint button shown to an auditor without admin: %d %v", n, err)
	}
	// Filter by the user's real id (hashed as a pseudonym) and an outcome.
	err := chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS(`#audit-search input[name=actor]`), "u-1"),
		chromedp.SetValue(chromedp.CSS(`#audit-search select[name=outcome]`), "failure"),
		chromedp.Submit(chromedp.CSS(`#audit-search`)),
		chromedp.WaitVisible(chromedp.CSS(`#audit-events`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text("#audit-events tbody"); !strings.Contains(s, "auth.login.failure") || strings.Contains(s, "payment.initiated") || !strings.Contains(s, "u-1") {
		t.Fatalf("filtered list: %q", s)
	}
	// The event's page shows its inclusion proof.
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`#audit-events tbody a`)), chromedp.WaitVisible(chromedp.CSS(`#proof-summary`))); err != nil {
		t.Fatal(err)
	}
	if s := text("#proof-summary"); !strings.Contains(s, "Event 5 is leaf 5 of the 8-event tree") {
		t.Fatalf("proof: %q", s)
	}
	if s := text("#canonical"); !strings.Contains(s, `"action":"auth.login.failure"`) || strings.Contains(s, `"u-1"`) {
		t.Fatalf("canonical bytes (user ids must be pseudonyms): %q", s)
	}
	// Verify from the page.
	verifyNow := func() string {
		t.Helper()
		err := chromedp.Do(b, chromedp.Navigate(a.URL()+"/ui/audit"), chromedp.WaitVisible(chromedp.CSS(`#verify-now`)),
			chromedp.Click(chromedp.CSS(`#verify-now`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
		if err != nil {
			t.Fatal(err)
		}
		return text("#audit-status")
	}
	if s := verifyNow(); !strings.Contains(s, "Verified") {
		t.Fatalf("after verify: %q", s)
	}
	uitest.Screenshot(t, b, "audit.png")
	for _, q := range []string{"DROP TRIGGER audit_events_no_delete", "DELETE FROM audit_events WHERE seq = 3"} {
		if _, err := a.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if s := verifyNow(); !strings.Contains(s, "Failed") || !strings.Contains(s, "event 3 removed") {
		t.Fatalf("after tampering: %q", s)
	}
}
