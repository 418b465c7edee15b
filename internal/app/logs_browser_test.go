package app

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/ui/uitest"
)

// In a real browser: search the logs page, see the histogram and lines,
// open a line's JSON, follow a request's trace, and run a stats query.
func TestLogsPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	cfg := testConfig(t)
	cfg.UI.Users = []config.User{uiUser("ops")}
	a := startTestApp(t, cfg)
	now := time.Now()
	rec := func(ago time.Duration, level, msg, rid, path string) logs.Record {
		return logs.Record{Time: now.Add(-ago), Fields: []logs.Field{{Name: "level", Value: level}, {Name: "_msg", Value: msg},
			{Name: "request_id", Value: rid}, {Name: "path", Value: path}}}
	}
	err := a.Logs.Append(context.Background(), "", "api", []logs.Record{
		rec(30*time.Minute, "info", "payment started", "req-42", "/api/payments"),
		rec(20*time.Minute, "error", "payment failed: card declined", "req-42", "/api/payments"),
		rec(10*time.Minute, "error", "database connection refused", "req-7", "/api/users"),
		rec(5*time.Minute, "info", "user signed in", "req-8", "/api/auth/login"),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := uitest.Browser(t)
	uitest.SignIn(t, ctx, a.URL(), "ops", "correct horse")
	err = chromedp.Do(ctx,
		chromedp.Navigate(a.URL()+"/ui/logs?"+url.Values{"q": {"level:=error"}, "since": {"1h"}}.Encode()),
		chromedp.WaitVisible(chromedp.CSS(`#results`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	nBars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#histogram rect').length`))
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "2 rows") || !strings.Contains(text, "card declined") || !strings.Contains(text, "connection refused") || strings.Contains(text, "signed in") {
		t.Fatalf("results:\n%s", text)
	}
	if nBars < 30 {
		t.Fatalf("histogram has %d bars", nBars)
	}
	// Open the JSON of the first line, then follow its request's trace.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#results details summary`))); err != nil {
		t.Fatal(err)
	}
	pre, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#results details pre`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pre, `"request_id": "req-7"`) {
		t.Fatalf("expanded JSON: %s", pre)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(a.URL()+"/ui/logs?"+url.Values{"q": {"card"}, "since": {"1h"}}.Encode()),
		chromedp.WaitVisible(chromedp.CSS(`a.trace`)),
		chromedp.Click(chromedp.CSS(`a.trace`)),
		chromedp.WaitVisible(chromedp.CSS(`#result-summary`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	_, results, _ := strings.Cut(text, "rows in")
	if !strings.Contains(text, "2 rows") || strings.Index(results, "payment started") > strings.Index(results, "card declined") {
		t.Fatalf("trace of req-42, oldest first:\n%s", text)
	}
	// A stats query typed into the search box shows a table.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#q`), "* | stats by (level) count() n"),
		chromedp.Submit(chromedp.CSS(`#log-search`)),
		chromedp.WaitVisible(chromedp.CSS(`#results th`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#results"))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(text), "level") || !strings.Contains(text, "error\t2") {
		t.Fatalf("stats table:\n%s", text)
	}
	// A mistake names the column.
	err = chromedp.Do(ctx,
		chromedp.Navigate(a.URL()+"/ui/logs?"+url.Values{"q": {"status:>abc"}}.Encode()),
		chromedp.WaitVisible(chromedp.CSS(`#query-error`)),
	)
	if err == nil {
		text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#query-error")))
	}
	if err != nil || !strings.Contains(text, "column 9") {
		t.Fatalf("error: %v %q", err, text)
	}
	uitest.Screenshot(t, ctx, "logs.png")
}
