package app

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/ui/uitest"
)

// In a real browser: after two backups of Warden's own state, the backups
// page lists them with their verification and draws their sizes.
func TestBackupsPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	cfg := testConfig(t)
	cfg.UI.Users = []config.User{uiUser("ops")}
	a := startTestApp(t, cfg)
	admin := tokenWithout[config.ScopeAudit]
	var id string
	for i := 0; i < 2; i++ {
		code, body := backupsAPICall(t, a, "POST", "/api/v1/backups/warden/run", admin)
		if code != http.StatusOK {
			t.Fatalf("run: %d %v", code, body)
		}
		id = body["backup"].(map[string]any)["id"].(string)
	}

	ctx := uitest.Browser(t)
	uitest.SignIn(t, ctx, a.URL(), "ops", "correct horse")
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL()+"/ui/backups"),
		chromedp.WaitVisible(chromedp.CSS(`#backups`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.backup-chart rect.bar-ok").length`))
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"warden", id, "Passed", "Newest good backup", "verify"} {
		if !strings.Contains(page, want) {
			t.Errorf("backups page lacks %q:\n%s", want, page)
		}
	}
	if bars != 2 {
		t.Errorf("size chart has %d verified bars, want 2", bars)
	}
	uitest.Screenshot(t, ctx, "backups")
}
