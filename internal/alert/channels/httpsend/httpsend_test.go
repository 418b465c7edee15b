package httpsend

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/channeltest"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		" 120 ":                         2 * time.Minute,
		"-1":                            0,
		"soon":                          0,
		"Sun, 01 Mar 2026 14:00:30 GMT": 30 * time.Second,
		"Sun, 01 Mar 2026 13:59:00 GMT": 0,
	} {
		if got := RetryAfter(v, now); got != want {
			t.Errorf("RetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestDoRedactsURL(t *testing.T) {
	err := Do(context.Background(), nil, Request{What: "test hook", URL: "http://127.0.0.1:1/secret-token", Timeout: time.Second})
	var de *alert.DeliveryError
	if !errors.As(err, &de) || !de.Retryable {
		t.Fatalf("err = %v, want a retryable DeliveryError", err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error %q shows the URL", err)
	}
}

func TestDoCancelledIsNotDeliveryError(t *testing.T) {
	rcv := channeltest.NewHTTPReceiver(t).Hang(5 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		wctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		_, _ = rcv.Await(wctx, 1)
		cancel()
	}()
	err := Do(ctx, nil, Request{What: "test hook", URL: rcv.URL()})
	var de *alert.DeliveryError
	if err == nil || errors.As(err, &de) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %#v, want context.Canceled", err)
	}
}

func TestDoHint(t *testing.T) {
	rcv := channeltest.NewHTTPReceiver(t).Respond(http.StatusGone, channeltest.Body("channel_is_archived"))
	err := Do(context.Background(), nil, Request{What: "hook", URL: rcv.URL(), Hint: func(int, string) string { return "do X" }})
	if err == nil || !strings.Contains(err.Error(), "channel_is_archived (do X)") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"3", "Sun, 01 Mar 2026 14:00:30 GMT", "-5", "99999999999999999999", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := RetryAfter(v, now); d < 0 {
			t.Errorf("RetryAfter(%q) = %v", v, d)
		}
	})
}
