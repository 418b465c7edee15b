// Package channeltest holds real receivers for tests of alert delivery: an
// HTTP server that records requests and answers from a script, and a small
// SMTP server with STARTTLS, implicit TLS, AUTH and scripted failures. Both
// listen on 127.0.0.1 and stop when the test ends; every wait is bounded.
//
// It imports only the standard library, so the alert package's own tests
// can use it without an import cycle.
package channeltest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// MaxHang bounds a scripted Hang so a test that forgets its client timeout
// still ends.
const MaxHang = 30 * time.Second

// Request is one request an HTTPReceiver received.
type Request struct {
	At     time.Time
	Method string
	// Path is the request URI, with its query.
	Path   string
	Header http.Header
	Body   []byte
}

// Option shapes a scripted response.
type Option func(*response)

type response struct {
	status int
	header http.Header
	body   string
	hang   time.Duration
}

// Body sets the response body (default "ok", Slack's success answer, for
// 200, and the status text otherwise).
func Body(s string) Option { return func(r *response) { r.body = s } }

// Header adds a response header.
func Header(name, value string) Option { return func(r *response) { r.header.Add(name, value) } }

// RetryAfter sets Retry-After in seconds, as Slack does on 429.
func RetryAfter(seconds int) Option { return Header("Retry-After", strconv.Itoa(seconds)) }

// HTTPReceiver is an HTTP server on 127.0.0.1 that records every request and
// answers from a script, then with 200 "ok" once the script runs out.
type HTTPReceiver struct {
	t       testing.TB
	srv     *httptest.Server
	closing chan struct{}

	mu       sync.Mutex
	script   []response
	requests []Request
	changed  chan struct{} // closed and replaced on every request
}

// NewHTTPReceiver starts a receiver that stops when t ends.
func NewHTTPReceiver(t testing.TB) *HTTPReceiver {
	t.Helper()
	r := &HTTPReceiver{t: t, closing: make(chan struct{}), changed: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	// Registered after Close so it runs first: hanging handlers must return
	// before Close can finish waiting for them.
	t.Cleanup(func() { close(r.closing) })
	return r
}

// URL is the receiver's address, such as http://127.0.0.1:41234.
func (r *HTTPReceiver) URL() string { return r.srv.URL }

// Respond appends a response to the script: the next request not yet
// answered from the script gets status (with opts).
func (r *HTTPReceiver) Respond(status int, opts ...Option) *HTTPReceiver {
	resp := response{status: status, header: http.Header{}, body: http.StatusText(status)}
	if status == http.StatusOK {
		resp.body = "ok"
	}
	for _, o := range opts {
		o(&resp)
	}
	r.mu.Lock()
	r.script = append(r.script, resp)
	r.mu.Unlock()
	return r
}

// Hang appends a step that holds the request for d (at most MaxHang, and
// less if the client goes away), then answers 200 "ok", so a client with a
// shorter timeout sees a hang and one with a longer timeout a slow success.
func (r *HTTPReceiver) Hang(d time.Duration, opts ...Option) *HTTPReceiver {
	return r.Respond(http.StatusOK, append([]Option{func(resp *response) { resp.hang = min(d, MaxHang) }}, opts...)...)
}

// Requests returns a copy of what was received so far, in arrival order.
func (r *HTTPReceiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.requests...)
}

// Wait returns the first n requests once they have arrived, failing the
// test after timeout. Call it from the test goroutine; use Await elsewhere.
func (r *HTTPReceiver) Wait(n int, timeout time.Duration) []Request {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	reqs, err := r.Await(ctx, n)
	if err != nil {
		r.t.Fatal(err)
	}
	return reqs
}

// Await returns the first n requests once they have arrived, or an error
// when ctx is done first.
func (r *HTTPReceiver) Await(ctx context.Context, n int) ([]Request, error) {
	for {
		r.mu.Lock()
		got, changed := len(r.requests), r.changed
		if got >= n {
			reqs := append([]Request(nil), r.requests[:n]...)
			r.mu.Unlock()
			return reqs, nil
		}
		r.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("channeltest: %d of %d requests received: %w", got, n, ctx.Err())
		}
	}
}

func (r *HTTPReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 16<<20))
	rec := Request{At: time.Now(), Method: req.Method, Path: req.URL.RequestURI(), Header: req.Header.Clone(), Body: body}
	r.mu.Lock()
	resp := response{status: http.StatusOK, body: "ok"}
	if len(r.script) > 0 {
		resp, r.script = r.script[0], r.script[1:]
	}
	r.requests = append(r.requests, rec)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()

	if resp.hang > 0 {
		timer := time.NewTimer(resp.hang)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-req.Context().Done():
			return
		case <-r.closing:
			return
		}
	}
	for k, vs := range resp.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(resp.status)
	_, _ = io.WriteString(w, resp.body)
}
