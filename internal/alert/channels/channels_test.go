package channels

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/channeltest"
	"github.com/wardenhq/warden/internal/alert/webhook"
	"github.com/wardenhq/warden/internal/config"
)

func notification() *alert.Notification {
	now := time.Now()
	a := alert.Alert{Labels: alert.Labels{"alertname": "BackupStale"}, StartsAt: now.Add(-time.Hour)}
	return &alert.Notification{Receiver: "x", GroupKey: "g", Status: alert.Firing, Alerts: []alert.Alert{a}, Now: now}
}

func TestSlackAndWebhook(t *testing.T) {
	rcv := channeltest.NewHTTPReceiver(t)
	for i, cfg := range []config.AlertChannel{
		{Name: "ops-slack", Type: "slack", URL: config.Secret(rcv.URL() + "/slack")},
		{Name: "pager", Type: "webhook", URL: config.Secret(rcv.URL() + "/hook"), HMACSecret: "k", Headers: map[string]string{"X-Team": "ops"}},
	} {
		ch, err := New(cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if ch.Name() != cfg.Name || ch.Type() != cfg.Type {
			t.Errorf("%s: name %q type %q", cfg.Name, ch.Name(), ch.Type())
		}
		if err := ch.Send(context.Background(), notification()); err != nil {
			t.Fatalf("%s: %v", cfg.Name, err)
		}
		req := rcv.Wait(i+1, 5*time.Second)[i]
		if req.Path != "/"+strings.TrimPrefix(cfg.URL.Value(), rcv.URL()+"/") {
			t.Errorf("%s went to %s", cfg.Name, req.Path)
		}
	}
	hook := rcv.Requests()[1]
	if !webhook.Verify("k", hook.Header.Get(webhook.HeaderTimestamp), hook.Body, hook.Header.Get(webhook.HeaderSignature)) || hook.Header.Get("X-Team") != "ops" {
		t.Errorf("webhook headers %v", hook.Header)
	}
}

func TestEmail(t *testing.T) {
	srv := channeltest.NewSMTPServer(t, channeltest.SMTPOptions{Username: "warden", Password: "pw"})
	cfg := config.AlertChannel{
		Name: "ops-email", Type: "email", From: "warden@example.com", To: []string{"ops@example.com"},
		SMTP: config.SMTP{Host: srv.Host(), Port: srv.Port(), TLS: "starttls", Username: "warden", Password: "pw"},
	}
	t.Run("Options.TLSConfig", func(t *testing.T) {
		ch, err := New(cfg, Options{TLSConfig: srv.ClientTLSConfig()})
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.Send(context.Background(), notification()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ca_file", func(t *testing.T) {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(ca, srv.CertPEM(), 0o600); err != nil {
			t.Fatal(err)
		}
		c := cfg
		c.SMTP.CAFile = ca
		ch, err := New(c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.Send(context.Background(), notification()); err != nil {
			t.Fatal(err)
		}
	})
	srv.Wait(2, 5*time.Second)
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		cfg  config.AlertChannel
		want string
	}{
		{config.AlertChannel{Name: "p", Type: "pager"}, "not a channel type"},
		{config.AlertChannel{Name: "m", Type: "email", From: "w@example.com", To: []string{"o@example.com"},
			SMTP: config.SMTP{Host: "smtp.example.com", Port: 25, TLS: "none"}}, "loopback"},
		{config.AlertChannel{Name: "m", Type: "email", From: "w@example.com", To: []string{"o@example.com"},
			SMTP: config.SMTP{Host: "smtp.example.com", Port: 587, CAFile: "/nonexistent/ca.pem"}}, "ca_file"},
	} {
		if _, err := New(tc.cfg, Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.cfg.Name, err, tc.want)
		}
	}
}

func TestSendResolved(t *testing.T) {
	no := false
	if !SendResolved(config.AlertChannel{Type: "slack"}) || SendResolved(config.AlertChannel{SendResolved: &no}) {
		t.Error("SendResolved defaults wrong")
	}
}
