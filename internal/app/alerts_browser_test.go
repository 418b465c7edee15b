package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/channeltest"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/ui/uitest"
)

// In a real browser: an alert fires and reaches a Slack-style receiver, the
// alerts page shows it and its delivery, and a silence added with the form
// shows up and mutes the alert.
func TestAlertsPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	receiver := channeltest.NewHTTPReceiver(t)
	cfg := testConfig(t)
	cfg.UI.Users = []config.User{uiUser("ops")}
	cfg.Alerts.Channels = []config.AlertChannel{{Name: "ops-slack", Type: "slack", URL: config.Secret(receiver.URL())}}
	cfg.Alerts.Defaults.Channels = []string{"ops-slack"}
	cfg.Alerts.Defaults.GroupWait = 0
	a := startTestApp(t, cfg)

	err := a.Alerts.Raise(context.Background(), alert.Alert{
		Labels:      alert.Labels{alert.LabelAlertName: "PaymentFailures", alert.LabelSeverity: "critical", alert.LabelService: "payments"},
		Annotations: alert.Labels{alert.AnnotationSummary: "Payment failures above 5 in 5 minutes", alert.AnnotationValue: "12", alert.AnnotationRunbook: "https://runbooks.example/payments"},
	})
	if err != nil {
		t.Fatal(err)
	}
	receiver.Wait(1, 10*time.Second)
	if body := string(receiver.Requests()[0].Body); !strings.Contains(body, "PaymentFailures") {
		t.Fatalf("receiver got %s", body)
	}

	ctx := uitest.Browser(t)
	uitest.SignIn(t, ctx, a.URL(), "ops", "correct horse")
	err = chromedp.Do(ctx,
		chromedp.Navigate(a.URL()+"/ui/alerts"),
		chromedp.WaitVisible(chromedp.CSS(`#silence-form`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PaymentFailures", "Payment failures above 5 in 5 minutes", "ops-slack", "Delivered", "[FIRING:1] PaymentFailures"} {
		if !strings.Contains(page, want) {
			t.Errorf("alerts page lacks %q:\n%s", want, page)
		}
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#silence-form textarea[name=matchers]`), `alertname="PaymentFailures"`),
		chromedp.SetValue(chromedp.CSS(`#silence-form input[name=duration]`), "2h"),
		chromedp.SendKeys(chromedp.CSS(`#silence-form input[name=comment]`), "provider maintenance"),
		chromedp.Submit(chromedp.CSS(`#silence-form`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	page, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"provider maintenance", `alertname="PaymentFailures"`, "Silenced"} {
		if !strings.Contains(page, want) {
			t.Errorf("after adding the silence the page lacks %q:\n%s", want, page)
		}
	}
	uitest.Screenshot(t, ctx, "alerts.png")
	if s := a.Alerts.Silences(); len(s) != 1 || s[0].CreatedBy != "user:ops" {
		t.Fatalf("silences = %+v", s)
	}
	if st := a.Alerts.Firing(); len(st) != 1 || len(st[0].SilencedBy) != 1 {
		t.Fatalf("the alert is not silenced: %+v", st)
	}
}
