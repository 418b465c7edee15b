package ui_test

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/ui"
	"github.com/wardenhq/warden/internal/ui/uitest"
)

// TestBrowserSignInAndOverview drives the real sign-in form in Chromium:
// redirect to the form, sign in, see the overview, sign out.
func TestBrowserSignInAndOverview(t *testing.T) {
	ctx := uitest.Browser(t)
	shots := os.Getenv("WARDEN_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret-pass"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	u, err := ui.New(ui.Options{
		Users:       []config.User{{Name: "ada", PasswordHash: config.Secret(hash)}},
		Tokens:      auth.NewTokens(nil),
		SessionKey:  []byte("0123456789abcdef0123456789abcdef"),
		Logger:      logger,
		Environment: "production",
		Version:     "v0.1.0",
	})
	if err != nil {
		t.Fatal(err)
	}
	u.AddOverview("Uptime", 10, func(context.Context) (ui.Panel, error) {
		return ui.Panel{Title: "Uptime checks", Status: "warn", Summary: "1 of 3 checks is down.", Link: "/ui/checks",
			Rows: [][2]string{{"api-health", "down for 4m"}, {"web", "up, 99.98% (30 d)"}, {"payments", "up, 100% (30 d)"}}}, nil
	})
	u.AddOverview("Alerts", 5, func(context.Context) (ui.Panel, error) {
		return ui.Panel{Status: "ok", Summary: "Nothing is firing.", Rows: [][2]string{{"Silences", "1"}, {"Last sent", "2 hours ago"}}}, nil
	})
	u.AddOverview("Backups", 20, func(context.Context) (ui.Panel, error) {
		return ui.Panel{}, context.DeadlineExceeded
	})
	addChecksPage(t, u)
	srv := httpapi.New(httpapi.Options{Logger: logger})
	u.Register(srv)
	ts := httptest.NewServer(srv) // listens on 127.0.0.1
	defer ts.Close()

	// Signed out, the UI sends us to the form, remembering where we were.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/ui/"), chromedp.WaitVisible(chromedp.ID("password"))); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/ui/login?next="+url.QueryEscape("/ui/")) {
		t.Fatalf("redirected to %s", loc)
	}
	shot(t, ctx, shots, "login.png")

	uitest.SignIn(t, ctx, ts.URL, "ada", "s3cret-pass")
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Overview", "Uptime checks", "1 of 3 checks is down.", "Could not load this panel", "System", "v0.1.0"} {
		if !strings.Contains(text, want) {
			t.Errorf("overview lacks %q:\n%s", want, text)
		}
	}
	shot(t, ctx, shots, "overview.png")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("form.signout"))); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, shots, "overview-phone.png")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}

	// A part's page, in the layout, with its form posting back.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav a[href="/ui/checks"]`)),
		chromedp.WaitVisible(chromedp.CSS("table")),
	); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, shots, "checks.png")
	// warden.js asks before the form posts (data-confirm); accepting the
	// dialog from a goroutine also proves the script loads under the CSP.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	var asked atomic.Int32
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			asked.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(".page-actions button")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	); err != nil {
		t.Fatal(err)
	}
	if flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".flash"))); err != nil || !strings.Contains(flash, "Ran 3 checks") {
		t.Fatalf("after posting the form: %q %v", flash, err)
	}
	if asked.Load() != 1 {
		t.Errorf("confirm dialogs: %d, want 1", asked.Load())
	}

	// Sign out through the layout's form.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("form.signout button")),
		chromedp.WaitVisible(chromedp.ID("password")),
	); err != nil {
		t.Fatal(err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".flash")))
	if err != nil || !strings.Contains(flash, "signed out") {
		t.Fatalf("after sign-out: %q %v", flash, err)
	}
	// And the overview is closed again.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/ui/"), chromedp.WaitVisible(chromedp.ID("password"))); err != nil {
		t.Fatal(err)
	}
}

//go:embed testdata/checks.html
var checksFS embed.FS

type check struct {
	Name, Status string
	Took         time.Duration
	At           time.Time
}

// addChecksPage adds a page the way a part does: its own template, Render,
// a form with csrfField, and post/redirect/get with Flash.
func addChecksPage(t *testing.T, u *ui.UI) {
	tmpl := template.Must(template.New("checks").Funcs(u.Funcs()).ParseFS(checksFS, "testdata/checks.html"))
	now := time.Now()
	checks := []check{
		{"api-health", "down", 5 * time.Second, now.Add(-20 * time.Second)},
		{"web", "ok", 182 * time.Millisecond, now.Add(-35 * time.Second)},
		{"payments", "ok", 96 * time.Millisecond, now.Add(-2 * time.Minute)},
	}
	u.AddPage(ui.Page{
		Path: "/ui/checks", Title: "Uptime checks", Nav: true, Order: 10, Scope: "read",
		Handler: func(w http.ResponseWriter, r *http.Request) { u.Render(w, r, tmpl, checks) },
		Post: func(w http.ResponseWriter, r *http.Request) {
			u.Flash(w, r, fmt.Sprintf("Ran %d checks.", len(checks)))
			http.Redirect(w, r, "/ui/checks", http.StatusSeeOther)
		},
	})
}

// shot saves a full-page screenshot to WARDEN_SCREENSHOT_DIR (for a human to
// look at) or the test's temporary directory, and logs where.
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
