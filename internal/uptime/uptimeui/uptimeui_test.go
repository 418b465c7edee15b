package uptimeui_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/store/storetest"
	"github.com/wardenhq/warden/internal/ui"
	"github.com/wardenhq/warden/internal/ui/uitest"
	"github.com/wardenhq/warden/internal/uptime"
	"github.com/wardenhq/warden/internal/uptime/condition"
	"github.com/wardenhq/warden/internal/uptime/uptimesql"
	"github.com/wardenhq/warden/internal/uptime/uptimeui"
)

// TestChecksPageInBrowser signs in, sees the checks and a past incident,
// opens its timeline and adds a note through the form.
func TestChecksPageInBrowser(t *testing.T) {
	ctx := uitest.Browser(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := storetest.SQLite(t, uptimesql.Migrations)
	now := time.Now().UTC()
	cond, _ := condition.Parse("status == 200")
	c := &uptime.Check{Name: "api-health", Kind: "http", URL: "http://127.0.0.1:3000/api/health", Public: true,
		Interval: 30 * time.Second, Timeout: time.Second, FailureThreshold: 2, SuccessThreshold: 1, Severity: "critical",
		Conditions: []*condition.Expr{cond}}
	m := uptime.New(uptime.Options{Checks: []*uptime.Check{c}, Store: uptimesql.New(db), Clock: clock.NewFake(now), Logger: logger})
	bg := context.Background()
	for i, ok := range []bool{true, false, false, false, true, true} {
		r := uptime.Result{Check: c.Name, At: now.Add(time.Duration(i-6) * 30 * time.Second), OK: ok, Status: 200, Latency: 40 * time.Millisecond}
		if !ok {
			r.Status, r.Error = 503, "failed: status == 200 (status = 503)"
		}
		if err := m.Apply(bg, c, r); err != nil {
			t.Fatal(err)
		}
	}

	hash, _ := bcrypt.GenerateFromPassword([]byte("s3cret-pass"), bcrypt.MinCost)
	u, err := ui.New(ui.Options{
		Users:      []config.User{{Name: "ada", PasswordHash: config.Secret(hash), Scopes: []string{config.ScopeRead, config.ScopeAdmin}}},
		Tokens:     auth.NewTokens(nil),
		SessionKey: []byte("0123456789abcdef0123456789abcdef"),
		Logger:     logger, Environment: "production", Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := (&uptimeui.Page{Monitor: m, UI: u}).Register(); err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.Options{Logger: logger})
	u.Register(srv)
	ts := httptest.NewServer(srv)
	defer ts.Close()

	uitest.SignIn(t, ctx, ts.URL, "ada", "s3cret-pass")
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/ui/checks"), chromedp.WaitVisible(chromedp.ID("checks"))); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"api-health", "Up", "50.00%", "Recent incidents", "status = 503"} {
		if !strings.Contains(text, want) {
			t.Errorf("checks page lacks %q:\n%s", want, text)
		}
	}
	uitest.Screenshot(t, ctx, "checks-page")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href^="/ui/checks?incident="]`)),
		chromedp.WaitVisible(chromedp.ID("incident-probes")),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="text"]`), "Restarted the API pods."),
		chromedp.Submit(chromedp.CSS(`textarea[name="text"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	); err != nil {
		t.Fatal(err)
	}
	text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Incident 1: api-health", "to detect", "to recover", "Note added.", "Restarted the API pods.", "ada"} {
		if !strings.Contains(text, want) {
			t.Errorf("incident page lacks %q:\n%s", want, text)
		}
	}
	probes, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#incident-probes tbody tr').length`))
	if err != nil || probes != 4 {
		t.Errorf("probes in the timeline: %d %v, want 4 (three failures and the recovery)", probes, err)
	}
	uitest.Screenshot(t, ctx, "incident-page")
}
