package app

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/ui/uitest"
)

// In a real browser: issues sent by the captured SDK envelopes show in the
// list with counts and sparklines; the issue page shows the stack trace,
// tags and events; Resolve changes the status.
func TestErrorsPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	cfg := testConfig(t)
	const key = "abc123def4564567890abcdef1234567"
	cfg.UI.Users = []config.User{uiUser("ops", "read", "admin")}
	cfg.Errors.Projects = []config.ErrorProject{{ID: 7, Name: "demo", Key: key}}
	a := startTestApp(t, cfg)
	for _, f := range []string{"go-exception.envelope", "node-exception.envelope", "node-session.envelope"} {
		body, err := os.ReadFile("../errtrack/envelope/testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(a.URL()+"/api/7/envelope/?sentry_key="+key, "", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", f, resp.StatusCode)
		}
	}

	ctx := uitest.Browser(t)
	uitest.SignIn(t, ctx, a.URL(), "ops", "correct horse")
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL()+"/ui/errors"),
		chromedp.WaitVisible(chromedp.CSS(`#issues`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PaymentError: payment declined: insufficient_funds", "*fmt.wrapError: charge 250 EUR", "chargeCard in capture"} {
		if !strings.Contains(page, want) {
			t.Errorf("issue list lacks %q:\n%s", want, page)
		}
	}
	sparks, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#issues svg.sparkline polyline").length`))
	if err != nil || sparks != 2 {
		t.Errorf("sparklines: %d %v", sparks, err)
	}
	uitest.Screenshot(t, ctx, "errors-list.png")

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//a[contains(., "PaymentError: payment declined")]`)),
		chromedp.WaitVisible(chromedp.CSS(`#stacktrace`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	// Table headers are upper-cased by the style sheet; compare without case.
	for _, want := range []string{"chargeCard", "throw new PaymentError", "warden-demo@1.2.3", "user_id", "f95a892722fa424aaa7b37fb76c8c097", "unresolved"} {
		if !strings.Contains(strings.ToLower(page), strings.ToLower(want)) {
			t.Errorf("issue page lacks %q:\n%s", want, page)
		}
	}
	uitest.Screenshot(t, ctx, "errors-issue.png")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#resolve-form input[name=release]`), "warden-demo@1.2.4"),
		chromedp.Submit(chromedp.CSS(`#resolve-form`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#issue-status")))
	if err != nil || status != "resolved" {
		t.Fatalf("status after Resolve: %q %v", status, err)
	}
	flash, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".flash")))
	if !strings.Contains(flash, "resolved in release warden-demo@1.2.4") {
		t.Errorf("flash %q", flash)
	}
}
