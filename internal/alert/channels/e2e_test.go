package channels_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/alertsql"
	"github.com/wardenhq/warden/internal/alert/channels"
	"github.com/wardenhq/warden/internal/alert/channeltest"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/store/storetest"
)

// End to end through real listeners on loopback: the router delivers one
// alert to a Slack-style webhook that answers 500, then 429 with
// Retry-After, then hangs past the attempt timeout, then accepts; to a
// generic webhook that rejects with 404 (never retried); and to a real SMTP
// server. Every attempt is in the delivery log.
func TestRouterDeliversThroughRealReceivers(t *testing.T) {
	slack := channeltest.NewHTTPReceiver(t)
	slack.Respond(500).Respond(429, channeltest.RetryAfter(1)).Hang(2*time.Second).Respond(200, channeltest.Body("ok"))
	gone := channeltest.NewHTTPReceiver(t)
	gone.Respond(404, channeltest.Body("no_service"))
	smtpd := channeltest.NewSMTPServer(t, channeltest.SMTPOptions{Username: "warden", Password: "s3cret"})

	cfg := config.Default().Alerts
	cfg.Channels = []config.AlertChannel{
		{Name: "slack", Type: "slack", URL: config.Secret(slack.URL()), Timeout: config.Duration(500 * time.Millisecond)},
		{Name: "hook", Type: "webhook", URL: config.Secret(gone.URL())},
		{Name: "mail", Type: "email", From: "warden@example.com", To: []string{"ops@example.com"},
			SMTP: config.SMTP{Host: smtpd.Host(), Port: smtpd.Port(), TLS: "starttls", Username: "warden", Password: "s3cret"}},
	}
	cfg.Defaults.Channels = []string{"slack", "hook", "mail"}
	cfg.Defaults.GroupWait = 0
	routes, err := alert.RoutesFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var chans []alert.Channel
	for _, cc := range cfg.Channels {
		ch, err := channels.New(cc, channels.Options{TLSConfig: smtpd.ClientTLSConfig()})
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	db := storetest.SQLite(t, alertsql.Migrations)
	st := alertsql.New(db)
	r, err := alert.New(alert.Options{
		Store: st, Clock: clock.Real{}, Routes: routes, Channels: chans,
		SendResolved: map[string]bool{"slack": true, "hook": true, "mail": true},
		Retry:        alert.RetryPolicy{MaxAttempts: 5, Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Stop(ctx)
	err = r.Raise(ctx, alert.Alert{
		Labels:      alert.Labels{alert.LabelAlertName: "ApiDown", alert.LabelSeverity: "critical", alert.LabelEnvironment: "production"},
		Annotations: alert.Labels{alert.AnnotationSummary: "api-health fails", alert.AnnotationRunbook: "https://runbooks.example/api-down"},
	})
	if err != nil {
		t.Fatal(err)
	}

	reqs := slack.Wait(4, 15*time.Second)
	if gap := reqs[2].At.Sub(reqs[1].At); gap < 900*time.Millisecond {
		t.Errorf("the retry after 429 came %v later; Retry-After asked for 1s", gap)
	}
	msgs := smtpd.Wait(1, 10*time.Second)
	m, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Header.Get("Subject"), "ApiDown") || !msgs[0].TLS || msgs[0].User != "warden" {
		t.Errorf("mail: subject %q, tls %v, user %q", m.Header.Get("Subject"), msgs[0].TLS, msgs[0].User)
	}
	r.WaitIdle()
	if n := len(gone.Requests()); n != 1 {
		t.Errorf("the 404 webhook got %d attempts, want 1 (no retry on 4xx)", n)
	}

	log, err := st.Deliveries(ctx, alert.DeliveryFilter{Channel: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for i := len(log) - 1; i >= 0; i-- {
		statuses = append(statuses, log[i].Status)
	}
	if strings.Join(statuses, ",") != "retrying,retrying,retrying,delivered" || log[3].Code != 500 || log[2].Code != 429 || log[1].Code != 0 {
		t.Errorf("slack delivery log: %+v", log)
	}
	hook, _ := st.Deliveries(ctx, alert.DeliveryFilter{Channel: "hook"})
	if len(hook) != 1 || hook[0].Status != alert.DeliveryFailed || hook[0].Code != 404 {
		t.Errorf("hook delivery log: %+v", hook)
	}
}
