package statuspage_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/store/storetest"
	"github.com/wardenhq/warden/internal/ui/uitest"
	"github.com/wardenhq/warden/internal/uptime"
	"github.com/wardenhq/warden/internal/uptime/condition"
	"github.com/wardenhq/warden/internal/uptime/statuspage"
	"github.com/wardenhq/warden/internal/uptime/uptimesql"
)

// server serves a status page over a recorded history: api went down an
// hour ago and is still down; web is up with a maintenance window now;
// internal is not public.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	db := storetest.SQLite(t, uptimesql.Migrations)
	now := time.Now().UTC()
	clk := clock.NewFake(now)
	cond, _ := condition.Parse("status == 200")
	mk := func(name, group string, public bool, maint ...uptime.Window) *uptime.Check {
		return &uptime.Check{Name: name, Group: group, Public: public, Kind: "http", URL: "http://10.0.0.1/secret-path",
			Interval: time.Minute, Timeout: time.Second, FailureThreshold: 2, SuccessThreshold: 1, Severity: "critical",
			Conditions: []*condition.Expr{cond}, Maintenance: maint}
	}
	api := mk("api", "API", true)
	web := mk("web", "Website", true, uptime.Window{StartsAt: now.Add(-10 * time.Minute), EndsAt: now.Add(50 * time.Minute), Comment: "database upgrade"})
	internal := mk("internal-db", "API", false)
	m := uptime.New(uptime.Options{Checks: []*uptime.Check{api, web, internal}, Store: uptimesql.New(db), Clock: clk,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := context.Background()
	feed := func(c *uptime.Check, at time.Time, ok bool) {
		r := uptime.Result{Check: c.Name, At: at, OK: ok, Status: 200, Latency: 80 * time.Millisecond}
		if !ok {
			r.Status, r.Error = 500, "failed: status == 200 (status = 500) internal detail"
		}
		if _, in := c.InMaintenance(at); in {
			r.Maintenance = true
		}
		if err := m.Apply(ctx, c, r); err != nil {
			t.Fatal(err)
		}
	}
	for d := 30; d >= 1; d-- {
		for h := 0; h < 24; h += 12 {
			at := now.Add(-time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour)
			feed(api, at, !(d == 12 && h == 6)) // one bad day 12 days ago... a single failure, no incident
			feed(web, at, true)
			feed(internal, at, false)
		}
	}
	feed(api, now.Add(-61*time.Minute), false)
	feed(api, now.Add(-60*time.Minute), false) // detected: open incident
	feed(web, now.Add(-5*time.Minute), false)  // inside maintenance
	srv := httpapi.New(httpapi.Options{Tokens: auth.NewTokens(nil), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBody: 1 << 20})
	if err := (&statuspage.Page{Monitor: m, Title: "Example status"}).Register(srv); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestStatusPageHTML(t *testing.T) {
	ts := server(t)
	code, body, h := get(t, ts.URL+"/status")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("%d %v", code, h)
	}
	for _, want := range []string{"Example status", "Some systems are down", "<strong>api</strong> is down since", "database upgrade", `data-check="web"`, "Maintenance"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, leak := range []string{"internal-db", "10.0.0.1", "secret-path", "internal detail"} {
		if strings.Contains(body, leak) {
			t.Errorf("public page shows %q", leak)
		}
	}
}

func TestBadges(t *testing.T) {
	ts := server(t)
	code, body, h := get(t, ts.URL+"/status/badge/web.svg")
	if code != 200 || h.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "uptime 30d: 100%") {
		t.Fatalf("uptime badge: %d %s", code, body)
	}
	if _, body, _ := get(t, ts.URL+"/status/badge/api.svg?show=status"); !strings.Contains(body, "api: down") || !strings.Contains(body, "#e05d44") {
		t.Errorf("status badge: %s", body)
	}
	if _, body, _ := get(t, ts.URL+"/status/badge/api.svg?show=response&window=24h"); !strings.Contains(body, "ms") {
		t.Errorf("response badge: %s", body)
	}
	for path, want := range map[string]int{
		"/status/badge/internal-db.svg":      404, // not public
		"/status/badge/nope.svg":             404,
		"/status/badge/api.png":              404,
		"/status/badge/api.svg?window=1y":    400,
		"/status/badge/api.svg?show=colours": 400,
	} {
		if code, body, _ := get(t, ts.URL+path); code != want || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s, want %d with a JSON error", path, code, body, want)
		}
	}
}

// TestStatusPageInBrowser renders the page in headless Chromium at a phone's
// width: 90 bars a check with tooltips, no sideways scrolling.
func TestStatusPageInBrowser(t *testing.T) {
	ts := server(t)
	ctx := uitest.Browser(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(ts.URL+"/status"),
		chromedp.WaitVisible(chromedp.ID("overall"))); err != nil {
		t.Fatal(err)
	}
	banner, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("overall")))
	if err != nil {
		t.Fatal(err)
	}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	bars := eval(`document.querySelectorAll('[data-check="api"] svg.bars rect').length`)
	titled := eval(`document.querySelectorAll('[data-check="api"] svg.bars rect title').length`)
	tip := eval(`document.querySelector('[data-check="api"] svg.bars rect:last-of-type title').textContent`)
	overflow := eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`)
	if banner != "Some systems are down" || bars != float64(90) || titled != float64(90) || overflow != false || !strings.Contains(tip.(string), "failed probes") {
		t.Errorf("banner %q, bars %v, tooltips %v, overflow %v, last tooltip %q", banner, bars, titled, overflow, tip)
	}
	uitest.Screenshot(t, ctx, "status-page")
}

// TestPageIsCached: within CacheFor the same page is served without a
// rebuild; after it, the page shows what changed.
func TestPageIsCached(t *testing.T) {
	db := storetest.SQLite(t, uptimesql.Migrations)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(now)
	cond, _ := condition.Parse("status == 200")
	c := &uptime.Check{Name: "api", Public: true, Kind: "http", URL: "http://127.0.0.1:1/", Interval: time.Minute, Timeout: time.Second,
		FailureThreshold: 2, SuccessThreshold: 1, Severity: "critical", Conditions: []*condition.Expr{cond}}
	m := uptime.New(uptime.Options{Checks: []*uptime.Check{c}, Store: uptimesql.New(db), Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httpapi.New(httpapi.Options{Tokens: auth.NewTokens(nil), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBody: 1 << 20})
	if err := (&statuspage.Page{Monitor: m, Title: "T", CacheFor: 10 * time.Second}).Register(srv); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if _, body, h := get(t, ts.URL+"/status"); !strings.Contains(body, "All systems operational") || h.Get("Cache-Control") != "public, max-age=10" {
		t.Fatalf("first view: %v\n%s", h, body)
	}
	for i := range 2 {
		if err := m.Apply(context.Background(), c, uptime.Result{Check: "api", At: now.Add(time.Duration(i) * time.Second), Error: "down"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, body, _ := get(t, ts.URL+"/status"); !strings.Contains(body, "All systems operational") {
		t.Error("the page was rebuilt inside CacheFor")
	}
	clk.Advance(11 * time.Second)
	if _, body, _ := get(t, ts.URL+"/status"); !strings.Contains(body, "Some systems are down") {
		t.Error("the page was not rebuilt after CacheFor")
	}
}
