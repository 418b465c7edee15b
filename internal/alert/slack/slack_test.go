package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/channeltest"
)

var now = time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC)

func notification(firing, resolved int) *alert.Notification {
	n := &alert.Notification{
		Receiver: "ops-slack", GroupKey: `{}:{alertname="HighErrorRate"}`, Status: alert.Firing,
		GroupLabels:  alert.Labels{"alertname": "HighErrorRate"},
		CommonLabels: alert.Labels{"alertname": "HighErrorRate", "environment": "production", "service": "api"},
		ExternalURL:  "https://warden.example.com", Now: now,
	}
	for i := range firing + resolved {
		a := alert.Alert{
			Labels: alert.Labels{"alertname": "HighErrorRate", "environment": "production", "service": "api", "route": fmt.Sprintf("/api/r%d", i)},
			Annotations: alert.Labels{
				"summary": "Error rate above 5%", "value": "7.2%",
				"runbook_url": "https://warden.example.com/runbooks/app-errors",
			},
			StartsAt:     now.Add(-5 * time.Minute),
			GeneratorURL: "https://warden.example.com/logs?q=level%3Aerror",
		}
		if i >= firing {
			a.EndsAt = now.Add(-time.Minute)
		}
		n.Alerts = append(n.Alerts, a)
	}
	if firing == 0 {
		n.Status = alert.Resolved
	}
	return n
}

func newChannel(t *testing.T, url string, timeout time.Duration) *Channel {
	t.Helper()
	ch, err := New(Config{Name: "ops-slack", URL: url, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestSendSuccess(t *testing.T) {
	rcv := channeltest.NewHTTPReceiver(t)
	if err := newChannel(t, rcv.URL()+"/services/T/B/x", 0).Send(context.Background(), notification(1, 0)); err != nil {
		t.Fatal(err)
	}
	req := rcv.Wait(1, 5*time.Second)[0]
	if req.Method != http.MethodPost || req.Path != "/services/T/B/x" || !strings.HasPrefix(req.Header.Get("Content-Type"), "application/json") {
		t.Errorf("request = %s %s %q", req.Method, req.Path, req.Header.Get("Content-Type"))
	}
}

func TestSendFailures(t *testing.T) {
	for _, tc := range []struct {
		name       string
		script     func(*channeltest.HTTPReceiver)
		status     int
		retryable  bool
		retryAfter time.Duration
		text       string
	}{
		{"500", func(r *channeltest.HTTPReceiver) { r.Respond(500, channeltest.Body("rollup_error")) }, 500, true, 0, "rollup_error"},
		{"429", func(r *channeltest.HTTPReceiver) { r.Respond(429, channeltest.RetryAfter(3)) }, 429, true, 3 * time.Second, "429"},
		{"400", func(r *channeltest.HTTPReceiver) { r.Respond(400, channeltest.Body("invalid_payload")) }, 400, false, 0, "invalid_payload"},
		{"403", func(r *channeltest.HTTPReceiver) { r.Respond(403, channeltest.Body("invalid_token")) }, 403, false, 0, "invalid_token"},
		{"404", func(r *channeltest.HTTPReceiver) { r.Respond(404, channeltest.Body("channel_not_found")) }, 404, false, 0, "channel_not_found"},
		{"410", func(r *channeltest.HTTPReceiver) { r.Respond(410, channeltest.Body("channel_is_archived")) }, 410, false, 0, "channel_is_archived"},
		{"hang", func(r *channeltest.HTTPReceiver) { r.Hang(5 * time.Second) }, 0, true, 0, "did not answer within 200ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := channeltest.NewHTTPReceiver(t)
			tc.script(rcv)
			start := time.Now()
			err := newChannel(t, rcv.URL(), 200*time.Millisecond).Send(context.Background(), notification(1, 0))
			var de *alert.DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want *alert.DeliveryError", err)
			}
			if de.Status != tc.status || de.Retryable != tc.retryable || de.RetryAfter != tc.retryAfter {
				t.Errorf("got status %d retryable %v retryAfter %v, want %d %v %v", de.Status, de.Retryable, de.RetryAfter, tc.status, tc.retryable, tc.retryAfter)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not say %q", err, tc.text)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("attempt took %v", took)
			}
		})
	}
}

func TestPayload(t *testing.T) {
	rcv := channeltest.NewHTTPReceiver(t)
	ch := newChannel(t, rcv.URL(), 0)
	if err := ch.Send(context.Background(), notification(1, 1)); err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := json.Unmarshal(rcv.Wait(1, 5*time.Second)[0].Body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Text != "[FIRING:1] HighErrorRate (production, api)" {
		t.Errorf("text = %q", m.Text)
	}
	if len(m.Attachments) != 2 || m.Attachments[0].Color != ColorFiring || m.Attachments[1].Color != ColorResolved {
		t.Fatalf("attachments = %+v, want a danger one then a good one", m.Attachments)
	}
	firing := m.Attachments[0].Blocks[0].Text.Text
	for _, want := range []string{
		"*HighErrorRate*: Error rate above 5%", "*Value:* 7.2%", "environment=production, service=api",
		"*Since:* 2026-03-01 14:00:00 UTC (for 5m)",
		"<https://warden.example.com/runbooks/app-errors|Runbook>",
		"<https://warden.example.com/logs?q=level%3Aerror|Open in Warden>",
	} {
		if !strings.Contains(firing, want) {
			t.Errorf("firing section lacks %q:\n%s", want, firing)
		}
	}
	if resolved := m.Attachments[1].Blocks[0].Text.Text; !strings.Contains(resolved, "*Resolved:* 2026-03-01 14:04:00 UTC") {
		t.Errorf("resolved section:\n%s", resolved)
	}
}

func TestTruncation(t *testing.T) {
	n := notification(195, 5)
	n.Alerts[0].Annotations["description"] = strings.Repeat("<&> long ", 2000)
	m := NewMessage(n)
	blocks, shown := 0, 0
	for _, a := range m.Attachments {
		blocks += len(a.Blocks)
		for _, b := range a.Blocks {
			if b.Type == "section" {
				shown++
				if l := len([]rune(b.Text.Text)); l > MaxSectionText {
					t.Errorf("section of %d characters", l)
				}
			}
		}
	}
	if blocks > MaxBlocks || shown != MaxAlerts {
		t.Errorf("%d blocks, %d alerts shown", blocks, shown)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("%d attachments, want only the firing one", len(m.Attachments))
	}
	last := m.Attachments[0].Blocks[len(m.Attachments[0].Blocks)-1]
	if last.Type != "context" || !strings.Contains(last.Elements[0].Text, "…and 180 more alerts not shown (175 firing, 5 resolved)") {
		t.Errorf("last block = %+v", last)
	}
	if first := m.Attachments[0].Blocks[0].Text.Text; !strings.HasSuffix(first, "|Runbook>") || strings.Contains(first, "<&>") {
		t.Errorf("long section lost its links or escaping:\n%.300s", first)
	}
}

func TestEscapesMentions(t *testing.T) {
	n := notification(1, 0)
	n.Alerts[0].Annotations["summary"] = "<!channel> & friends"
	if s := NewMessage(n).Attachments[0].Blocks[0].Text.Text; !strings.Contains(s, "&lt;!channel&gt; &amp; friends") {
		t.Errorf("section = %s", s)
	}
}
