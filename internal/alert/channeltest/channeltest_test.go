package channeltest

import (
	"context"
	"io"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, client *http.Client, url string) (*http.Response, string, error) {
	t.Helper()
	resp, err := client.Post(url, "text/plain", strings.NewReader("hello"))
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

func TestHTTPReceiverScript(t *testing.T) {
	r := NewHTTPReceiver(t).Respond(500).Respond(429, RetryAfter(2)).Hang(5 * time.Second)
	c := &http.Client{Timeout: 5 * time.Second}
	resp, _, err := post(t, c, r.URL()+"/a")
	if err != nil || resp.StatusCode != 500 {
		t.Fatalf("first: %v %v", resp, err)
	}
	resp, _, err = post(t, c, r.URL()+"/b")
	if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("second: %v %v", resp, err)
	}
	_, _, err = post(t, &http.Client{Timeout: 100 * time.Millisecond}, r.URL())
	if err == nil {
		t.Fatal("hang answered at once")
	}
	resp, body, err := post(t, c, r.URL())
	if err != nil || resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("after the script: %v %q %v", resp, body, err)
	}
	reqs := r.Wait(4, 5*time.Second)
	if reqs[0].Path != "/a" || string(reqs[1].Body) != "hello" || reqs[1].At.Before(reqs[0].At) {
		t.Errorf("requests %+v", reqs[:2])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.Await(ctx, 5); err == nil || !strings.Contains(err.Error(), "4 of 5") {
		t.Errorf("Await = %v", err)
	}
}

func TestSMTPServer(t *testing.T) {
	s := NewSMTPServer(t, SMTPOptions{Username: "u", Password: "p"}).Fail(StageMAIL, 451, "4.3.0 later")
	send := func() error {
		c, err := smtp.Dial(s.Addr())
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.StartTLS(s.ClientTLSConfig()); err != nil {
			return err
		}
		if err := c.Auth(smtp.PlainAuth("", "u", "p", s.Host())); err != nil {
			return err
		}
		if err := c.Noop(); err != nil {
			return err
		}
		if err := c.Mail("a@example.com"); err != nil {
			return err
		}
		if err := c.Rcpt("b@example.com"); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		io.WriteString(w, "Subject: hi\r\n\r\n.dot line\r\nend\r\n")
		if err := w.Close(); err != nil {
			return err
		}
		return c.Quit()
	}
	err := send()
	if tpe, ok := err.(*textproto.Error); !ok || tpe.Code != 451 {
		t.Fatalf("first send: %v, want 451", err)
	}
	if err := send(); err != nil {
		t.Fatal(err)
	}
	m := s.Wait(1, 5*time.Second)[0]
	if m.From != "a@example.com" || m.To[0] != "b@example.com" || !m.TLS || m.User != "u" {
		t.Errorf("envelope %+v", m)
	}
	if string(m.Data) != "Subject: hi\r\n\r\n.dot line\r\nend\r\n" {
		t.Errorf("data %q", m.Data)
	}
}

func TestSMTPAuthRequired(t *testing.T) {
	s := NewSMTPServer(t, SMTPOptions{Username: "u", Password: "p"})
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("AUTH offered before TLS")
	}
	if err := c.Mail("a@example.com"); err == nil || !strings.Contains(err.Error(), "530") {
		t.Errorf("MAIL without AUTH: %v", err)
	}
}
