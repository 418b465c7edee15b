// Package httpsend makes one HTTP delivery attempt for the Slack and webhook
// channels and turns its outcome into an *alert.DeliveryError the notifier
// can act on: 5xx, 429 and network errors are worth retrying, other 4xx are
// not (the request itself is wrong and will be wrong again).
package httpsend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

// DefaultTimeout bounds one attempt when the channel sets no timeout.
const DefaultTimeout = 10 * time.Second

// UserAgent names Warden to receivers, which helps their logs and filters.
const UserAgent = "Warden-Alerts/1"

// maxBody bounds how much of a response is read: Slack answers with a short
// string, and a broken receiver must not make Warden read a gigabyte.
const maxBody = 64 << 10

// Request is one delivery attempt.
type Request struct {
	// What names the destination in errors ("slack webhook"). The URL is
	// never put in an error because it usually holds a credential.
	What   string
	URL    string
	Header http.Header
	Body   []byte
	// Timeout bounds the attempt (DefaultTimeout when zero).
	Timeout time.Duration
	// Hint, when set, adds advice for a rejected request, such as "create
	// a new incoming webhook" for Slack's channel_not_found.
	Hint func(status int, body string) string
}

// Do posts r.Body to r.URL once. A 2xx answer is success; anything else
// returns an *alert.DeliveryError, except when ctx itself is done (Warden
// shutting down): then the context's error is returned as is, which the
// notifier does not retry.
func Do(ctx context.Context, client *http.Client, r Request) error {
	if client == nil {
		client = http.DefaultClient
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return &alert.DeliveryError{Err: fmt.Errorf("%s: bad URL: %v", r.What, redact(err))}
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", UserAgent)
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", r.What, ctx.Err())
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%s did not answer within %v", r.What, timeout)
		} else {
			err = fmt.Errorf("%s: %v", r.What, redact(err))
		}
		return &alert.DeliveryError{Retryable: true, Err: err}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody)) // lets the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return classify(r, resp, strings.TrimSpace(string(raw)))
}

func classify(r Request, resp *http.Response, body string) *alert.DeliveryError {
	msg := fmt.Sprintf("%s answered %s", r.What, resp.Status)
	if s := snippet(body); s != "" {
		msg += ": " + s
	}
	code := resp.StatusCode
	retry := code == http.StatusTooManyRequests || code >= 500
	if !retry && r.Hint != nil {
		if h := r.Hint(code, body); h != "" {
			msg += " (" + h + ")"
		}
	}
	de := &alert.DeliveryError{Status: code, Retryable: retry, Err: errors.New(msg)}
	if retry {
		de.RetryAfter = RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return de
}

// RetryAfter reads a Retry-After header, in seconds or as an HTTP date
// relative to now; it returns 0 when the header is absent, malformed or in
// the past, leaving the wait to the notifier's backoff.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 || secs > int64(24*time.Hour/time.Second) {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

// snippet keeps an error short and on one line: a receiver may answer with
// a whole HTML error page.
func snippet(body string) string {
	s := strings.Join(strings.Fields(body), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// redact drops the URL from net/http's errors, keeping the cause: Slack and
// many webhooks carry their secret in the path.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
