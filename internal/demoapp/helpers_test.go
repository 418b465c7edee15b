package demoapp

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// logBuffer collects JSON log lines from concurrent handlers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the logged records whose msg is msg ("" for all).
func (b *logBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		if msg == "" || rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// reportedError is one call of Options.OnError.
type reportedError struct {
	path string
	err  error
}

// testApp is an App behind httptest with its logs, clock and error reports
// at hand.
type testApp struct {
	*App
	t      *testing.T
	srv    *httptest.Server
	logs   *logBuffer
	clock  *fakeClock
	mu     sync.Mutex
	errors []reportedError
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	ta := &testApp{t: t, logs: &logBuffer{}, clock: &fakeClock{now: time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)}}
	ta.App = New(Options{
		Logger: slog.New(slog.NewJSONHandler(ta.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:  ta.clock.Now,
		OnError: func(r *http.Request, err error) {
			ta.mu.Lock()
			defer ta.mu.Unlock()
			ta.errors = append(ta.errors, reportedError{path: r.URL.Path, err: err})
		},
	})
	ta.srv = httptest.NewServer(ta.Handler())
	t.Cleanup(ta.srv.Close)
	return ta
}

func (ta *testApp) reported() []reportedError {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return append([]reportedError(nil), ta.errors...)
}

// response is a decoded answer of the app.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request; body, if a string, is sent as is, else as JSON.
func (ta *testApp) do(method, path, token string, body any, header ...string) response {
	ta.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ta.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, ta.srv.URL+path, rd)
	if err != nil {
		ta.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := ta.srv.Client().Do(req)
	if err != nil {
		ta.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		ta.t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if method != http.MethodHead {
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			ta.t.Fatalf("%s %s: Content-Type %q, want application/json; body %s", method, path, ct, raw)
		}
		if err := json.Unmarshal(raw, &r.body); err != nil {
			ta.t.Fatalf("%s %s: body is not a JSON object: %q", method, path, raw)
		}
	}
	return r
}

// login returns a token for a demo user.
func (ta *testApp) login(user, password string) string {
	ta.t.Helper()
	r := ta.do("POST", "/api/auth/login", "", map[string]string{"username": user, "password": password})
	if r.status != http.StatusOK {
		ta.t.Fatalf("login %s: status %d, body %s", user, r.status, r.raw)
	}
	return r.body["token"].(string)
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.raw)
	}
}

func wantError(t *testing.T, r response, status int, contains string) {
	t.Helper()
	wantStatus(t, r, status)
	msg, _ := r.body["error"].(string)
	if !strings.Contains(msg, contains) {
		t.Fatalf("error %q does not contain %q", msg, contains)
	}
}
