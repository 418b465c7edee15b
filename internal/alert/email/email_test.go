package email

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/channeltest"
)

var now = time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC)

func notification() *alert.Notification {
	labels := alert.Labels{"alertname": "HighErrorRate", "environment": "production", "service": "api", "severity": "critical"}
	return &alert.Notification{
		Receiver: "ops-email", GroupKey: `{}:{alertname="HighErrorRate"}`, Status: alert.Firing,
		GroupLabels: alert.Labels{"alertname": "HighErrorRate"}, CommonLabels: labels,
		Alerts: []alert.Alert{{
			Labels: labels,
			Annotations: alert.Labels{
				"summary": "Error rate above 5% on /api/pay — Zahlungen schlagen fehl", "value": "7.2%",
				"runbook_url": "https://warden.example.com/runbooks/app-errors",
				"description": "A line that starts with a dot follows.\n.hidden?\n" + strings.Repeat("long ", 40),
			},
			StartsAt: now.Add(-5 * time.Minute), GeneratorURL: "https://warden.example.com/logs",
		}},
		ExternalURL: "https://warden.example.com", Now: now,
	}
}

func channel(t *testing.T, srv *channeltest.SMTPServer, mode string, mutate ...func(*Config)) *Channel {
	t.Helper()
	cfg := Config{
		Name: "ops-email", From: "Warden <warden@example.com>", To: []string{"ops@example.com", "Önder <oncall@example.com>"},
		Host: srv.Host(), Port: srv.Port(), TLS: mode, Username: "warden", Password: "pw",
		TLSConfig: srv.ClientTLSConfig(), Timeout: 2 * time.Second,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	ch, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestStartTLSAuthMessage(t *testing.T) {
	for _, mech := range []string{"PLAIN", "LOGIN"} {
		t.Run(mech, func(t *testing.T) {
			srv := channeltest.NewSMTPServer(t, channeltest.SMTPOptions{Username: "warden", Password: "pw", AuthMechanisms: []string{mech}})
			if err := channel(t, srv, TLSStartTLS).Send(context.Background(), notification()); err != nil {
				t.Fatal(err)
			}
			got := srv.Wait(1, 5*time.Second)[0]
			if !got.TLS || got.User != "warden" || got.From != "warden@example.com" ||
				strings.Join(got.To, ",") != "ops@example.com,oncall@example.com" {
				t.Errorf("envelope: tls %v user %q from %q to %v", got.TLS, got.User, got.From, got.To)
			}
			checkMessage(t, got.Data)
		})
	}
}

func checkMessage(t *testing.T, data []byte) {
	t.Helper()
	for i, line := range bytes.SplitAfter(data, []byte("\r\n")) {
		if bytes.ContainsAny(bytes.TrimSuffix(line, []byte("\r\n")), "\r\n") || len(line) > 1000 {
			t.Fatalf("line %d is not a proper CRLF line: %q", i+1, line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "[FIRING:1] HighErrorRate (production, api)" {
		t.Errorf("Subject = %q (%v)", subject, err)
	}
	if from, _ := h.AddressList("From"); len(from) != 1 || from[0].Address != "warden@example.com" || from[0].Name != "Warden" {
		t.Errorf("From = %q", h.Get("From"))
	}
	if to, _ := h.AddressList("To"); len(to) != 2 || to[1].Name != "Önder" {
		t.Errorf("To = %q", h.Get("To"))
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID = %q", id)
	}
	if h.Get("MIME-Version") != "1.0" {
		t.Errorf("MIME-Version = %q", h.Get("MIME-Version"))
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q", h.Get("Content-Type"))
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p) // quoted-printable is decoded by the reader
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b)
	}
	text, html := parts["text/plain"], parts["text/html"]
	for _, want := range []string{"Error rate above 5% on /api/pay — Zahlungen schlagen fehl", "https://warden.example.com/runbooks/app-errors", "Value:    7.2%", "\r\n  .hidden?\r\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{`<a href="https://warden.example.com/runbooks/app-errors">Runbook</a>`, "Zahlungen schlagen fehl"} {
		if !strings.Contains(html, want) {
			t.Errorf("html part lacks %q", want)
		}
	}
}

func TestImplicitTLS(t *testing.T) {
	srv := channeltest.NewSMTPServer(t, channeltest.SMTPOptions{ImplicitTLS: true, Username: "warden", Password: "pw"})
	if err := channel(t, srv, TLSImplicit).Send(context.Background(), notification()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Wait(1, 5*time.Second)[0]; !got.TLS || got.User != "warden" {
		t.Errorf("tls %v user %q", got.TLS, got.User)
	}
}

func TestNoneOnLoopback(t *testing.T) {
	srv := channeltest.NewSMTPServer(t, channeltest.SMTPOptions{NoSTARTTLS: true, Username: "warden", Password: "pw", AllowInsecureAuth: true})
	if err := channel(t, srv, TLSNone).Send(context.Background(), notification()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Wait(1, 5*time.Second)[0]; got.TLS || got.User != "warden" {
		t.Errorf("tls %v user %q", got.TLS, got.User)
	}
}

func TestNoneRefusedOffLoopback(t *testing.T) {
	_, err := New(Config{Name: "m", From: "w@example.com", To: []string{"o@example.com"}, Host: "smtp.example.com", TLS: TLSNone})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v", err)
	}
}

func TestFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      channeltest.SMTPOptions
		script    func(*channeltest.SMTPServer)
		mutate    func(*Config)
		status    int
		retryable bool
		text      string
	}{
		{name: "starttls not offered", opts: channeltest.SMTPOptions{NoSTARTTLS: true}, text: "does not offer STARTTLS"},
		{name: "451", script: func(s *channeltest.SMTPServer) { s.Fail(channeltest.StageMAIL, 451, "4.3.0 Try again later") },
			status: 451, retryable: true, text: "451 4.3.0 Try again later"},
		{name: "550", script: func(s *channeltest.SMTPServer) { s.Fail(channeltest.StageRCPT, 550, "5.1.1 No such user") },
			status: 550, text: "RCPT TO:<ops@example.com>: server replied 550"},
		{name: "452 after data", script: func(s *channeltest.SMTPServer) { s.Fail(channeltest.StageMessage, 452, "4.3.1 Disk full") },
			status: 452, retryable: true, text: "end of message"},
		{name: "bad password", opts: channeltest.SMTPOptions{Username: "warden", Password: "other"}, status: 535, text: "AUTH"},
		{name: "untrusted certificate", mutate: func(c *Config) { c.TLSConfig, c.Timeout = nil, 5*time.Second }, text: "ca_file"},
		{name: "timeout", script: func(s *channeltest.SMTPServer) { s.Stall(channeltest.StageConnect, 5*time.Second) },
			retryable: true, text: "no answer within 300ms"},
		{name: "connection refused", mutate: func(c *Config) { c.Port = 1 }, retryable: true, text: "connect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := channeltest.NewSMTPServer(t, tc.opts)
			if tc.script != nil {
				tc.script(srv)
			}
			ch := channel(t, srv, TLSStartTLS, func(c *Config) {
				c.Username, c.Timeout = tc.opts.Username, 300*time.Millisecond
				if tc.mutate != nil {
					tc.mutate(c)
				}
			})
			start := time.Now()
			err := ch.Send(context.Background(), notification())
			var de *alert.DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want *alert.DeliveryError", err)
			}
			if de.Status != tc.status || de.Retryable != tc.retryable || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("status %d retryable %v err %q; want %d %v %q", de.Status, de.Retryable, err, tc.status, tc.retryable, tc.text)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("attempt took %v", took)
			}
		})
	}
}

func TestRetryAfter451Succeeds(t *testing.T) {
	srv := channeltest.NewSMTPServer(t, channeltest.SMTPOptions{}).Fail(channeltest.StageDATA, 451, "4.7.1 Greylisted")
	ch := channel(t, srv, TLSStartTLS, func(c *Config) { c.Username = "" })
	if err := ch.Send(context.Background(), notification()); err == nil {
		t.Fatal("first attempt succeeded despite 451")
	}
	if err := ch.Send(context.Background(), notification()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Wait(1, 5*time.Second); len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
}

func TestCancelledIsNotRetried(t *testing.T) {
	srv := channeltest.NewSMTPServer(t, channeltest.SMTPOptions{}).Stall(channeltest.StageConnect, 5*time.Second)
	ch := channel(t, srv, TLSStartTLS, func(c *Config) { c.Username = "" })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := ch.Send(ctx, notification())
	var de *alert.DeliveryError
	if err == nil || errors.As(err, &de) {
		t.Fatalf("err = %v, want a plain context error", err)
	}
}

func TestSubjectEncoding(t *testing.T) {
	s := subject("[FIRING:1] Höhe " + strings.Repeat("ü", 300))
	for _, line := range strings.Split(s, "\r\n") {
		if len(line) > 78 {
			t.Errorf("subject line of %d octets", len(line))
		}
	}
	dec, err := new(mime.WordDecoder).DecodeHeader(strings.ReplaceAll(s, "\r\n", ""))
	if err != nil || !strings.HasPrefix(dec, "[FIRING:1] Höhe üü") || len([]rune(dec)) != maxSubject {
		t.Errorf("decoded %q (%v)", dec, err)
	}
}
