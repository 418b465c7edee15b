package applog_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/pkg/applog"
)

var mintedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestMiddlewareRequestID(t *testing.T) {
	tests := []struct {
		name   string
		header []string // nil: no header
		keep   bool
	}{
		{"well-formed", []string{"req-7f3a.b_c:1"}, true},
		{"uuid", []string{"0f8fad5b-d9cb-469f-a165-70867728950e"}, true},
		{"max length", []string{strings.Repeat("a", 128)}, true},
		{"too long", []string{strings.Repeat("a", 129)}, false},
		{"bad chars", []string{"abc def"}, false},
		{"injection", []string{`x","level":"error`}, false},
		{"empty", []string{""}, false},
		{"missing", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			var inCtx string
			h := applog.Middleware(applog.New(&buf, applog.Options{}), applog.MiddlewareOptions{})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					inCtx = applog.RequestID(r.Context())
				}))
			req := httptest.NewRequest("GET", "/", nil)
			for _, v := range tt.header {
				req.Header.Add("X-Request-ID", v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			got := rec.Header().Get("X-Request-ID")
			if tt.keep && got != tt.header[0] {
				t.Errorf("response id = %q, want the incoming %q", got, tt.header[0])
			}
			if !tt.keep && !mintedID.MatchString(got) {
				t.Errorf("response id = %q, want a minted 32-hex-digit id", got)
			}
			if inCtx != got {
				t.Errorf("context id = %q, response id = %q", inCtx, got)
			}
			if line := decodeLines(t, buf.String())[0]; line["request_id"] != got {
				t.Errorf("access line request_id = %v, want %q", line["request_id"], got)
			}
		})
	}
}

func TestMiddlewareMintsDistinctIDs(t *testing.T) {
	h := applog.Middleware(applog.New(io.Discard, applog.Options{}), applog.MiddlewareOptions{})(http.NotFoundHandler())
	a, b := httptest.NewRecorder(), httptest.NewRecorder()
	h.ServeHTTP(a, httptest.NewRequest("GET", "/", nil))
	h.ServeHTTP(b, httptest.NewRequest("GET", "/", nil))
	if a.Header().Get("X-Request-ID") == b.Header().Get("X-Request-ID") {
		t.Error("two requests got the same minted id")
	}
}

func TestMiddlewareAccessLine(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/payments/{id}", func(w http.ResponseWriter, r *http.Request) {
		applog.SetUserID(r.Context(), "u_42")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "hello")
		io.WriteString(w, ", world")
	})
	mux.HandleFunc("POST /fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /custom/", func(w http.ResponseWriter, r *http.Request) {
		applog.SetRoute(r.Context(), "custom-route")
	})
	mux.Handle("GET /strip/", http.StripPrefix("/strip", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))

	var buf bytes.Buffer
	h := applog.Middleware(applog.New(&buf, applog.Options{Service: "svc"}),
		applog.MiddlewareOptions{SkipPaths: []string{"/healthz"}})(mux)

	tests := []struct {
		method, target string
		want           map[string]any // fields compared exactly
		noUser         bool
	}{
		{"GET", "/api/payments/42?token=secret", map[string]any{
			"level": "info", "method": "GET", "route": "GET /api/payments/{id}", "path": "/api/payments/42",
			"status": 202.0, "bytes": 12.0, "user_id": "u_42",
		}, false},
		{"POST", "/fail", map[string]any{
			"level": "error", "route": "POST /fail", "status": 503.0, "bytes": 5.0,
		}, true},
		{"GET", "/empty", map[string]any{"status": 200.0, "bytes": 0.0, "route": "GET /empty"}, true},
		{"GET", "/nowhere", map[string]any{"status": 404.0, "route": "", "path": "/nowhere"}, true},
		{"GET", "/custom/x", map[string]any{"route": "custom-route"}, true},
		{"GET", "/strip/x", map[string]any{"route": "GET /strip/", "path": "/strip/x"}, true},
		{"GET", "/healthz", nil, true}, // skipped: no line
	}
	for i, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.target, nil)
		req.RemoteAddr = "203.0.113.9:51234"
		req.Header.Set("User-Agent", "test-agent/1.0")
		req.Header.Set("X-Request-ID", fmt.Sprintf("id-%d", i))
		h.ServeHTTP(httptest.NewRecorder(), req)
	}

	lines := findMsg(decodeLines(t, buf.String()), "request")
	if len(lines) != len(tests)-1 {
		t.Fatalf("got %d access lines, want %d:\n%s", len(lines), len(tests)-1, buf.String())
	}
	for i, tt := range tests[:len(tests)-1] {
		l := lines[i]
		for k, want := range tt.want {
			if l[k] != want {
				t.Errorf("%s %s: %s = %#v, want %#v", tt.method, tt.target, k, l[k], want)
			}
		}
		common := map[string]any{
			"service": "svc", "remote_ip": "203.0.113.9", "user_agent": "test-agent/1.0",
			"request_id": fmt.Sprintf("id-%d", i), "method": tt.method,
		}
		for k, want := range common {
			if l[k] != want {
				t.Errorf("%s %s: %s = %#v, want %#v", tt.method, tt.target, k, l[k], want)
			}
		}
		if d, ok := l["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("%s %s: duration_ms = %#v, want a non-negative number", tt.method, tt.target, l["duration_ms"])
		}
		if _, ok := l["user_id"]; tt.noUser && ok {
			t.Errorf("%s %s: user_id present without SetUserID", tt.method, tt.target)
		}
	}
}

func TestMiddlewareUserIDPropagation(t *testing.T) {
	var buf bytes.Buffer
	logger := applog.New(&buf, applog.Options{})
	h := applog.Middleware(logger, applog.MiddlewareOptions{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "before auth")
		applog.SetUserID(r.Context(), "u_7")
		logger.InfoContext(r.Context(), "after auth")
		if got := applog.UserID(r.Context()); got != "u_7" {
			t.Errorf("UserID = %q", got)
		}
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))

	lines := decodeLines(t, buf.String())
	wantUser := map[string]any{"before auth": nil, "after auth": "u_7", "request": "u_7"}
	if len(lines) != len(wantUser) {
		t.Fatalf("got %d lines", len(lines))
	}
	for _, l := range lines {
		if l["user_id"] != wantUser[l["msg"].(string)] {
			t.Errorf("%v: user_id = %v", l["msg"], l["user_id"])
		}
		if l["request_id"] != lines[0]["request_id"] {
			t.Errorf("%v: request_id %v differs from the request's", l["msg"], l["request_id"])
		}
	}
}

func TestMiddlewareRecoversPanic(t *testing.T) {
	var buf bytes.Buffer
	h := applog.Middleware(applog.New(&buf, applog.Options{}), applog.MiddlewareOptions{})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			panic(errors.New("nil map"))
		}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/boom", nil)
	req.Header.Set("X-Request-ID", "boom-1")
	h.ServeHTTP(rec, req)

	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want the handler's replaced by text/plain", ct)
	}
	lines := decodeLines(t, buf.String())
	p := findMsg(lines, "panic")
	if len(p) != 1 {
		t.Fatalf("want one panic line:\n%s", buf.String())
	}
	if p[0]["level"] != "error" || p[0]["panic"] != "nil map" || p[0]["request_id"] != "boom-1" {
		t.Errorf("panic line = %v", p[0])
	}
	if stack, _ := p[0]["stack"].(string); !strings.Contains(stack, "TestMiddlewareRecoversPanic") {
		t.Errorf("stack does not show the handler:\n%s", stack)
	}
	a := findMsg(lines, "request")
	if len(a) != 1 || a[0]["status"] != 500.0 || a[0]["level"] != "error" {
		t.Errorf("access line = %v", a)
	}
}

// TestMiddlewarePanicAfterWrite uses a real server: with the status already
// sent, the only honest outcome is an aborted response.
func TestMiddlewarePanicAfterWrite(t *testing.T) {
	for _, tt := range []struct {
		name  string
		value any
	}{
		{"panic", "half done"},
		{"ErrAbortHandler", http.ErrAbortHandler},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf syncBuffer
			done := make(chan struct{})
			mw := applog.Middleware(applog.New(&buf, applog.Options{}), applog.MiddlewareOptions{})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.WriteString(w, "partial")
					w.(http.Flusher).Flush()
					panic(tt.value)
				}))
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(done)
				mw.ServeHTTP(w, r)
			}))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.Start()
			defer srv.Close()

			resp, err := http.Get(srv.URL)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if err == nil {
				t.Error("client read a complete response; want it aborted")
			}
			<-done
			lines := decodeLines(t, buf.String())
			if a := findMsg(lines, "request"); len(a) != 1 || a[0]["status"] != 200.0 || a[0]["level"] != "error" {
				t.Errorf("access line = %v", a)
			}
			wantPanicLines := 1
			if tt.value == http.ErrAbortHandler {
				wantPanicLines = 0 // a deliberate abort is not a bug
			}
			if got := len(findMsg(lines, "panic")); got != wantPanicLines {
				t.Errorf("%d panic lines, want %d", got, wantPanicLines)
			}
		})
	}
}

func TestMiddlewareNilLoggerUsesDefault(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(applog.New(&buf, applog.Options{}))
	defer slog.SetDefault(old)
	applog.Middleware(nil, applog.MiddlewareOptions{})(http.NotFoundHandler()).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if len(findMsg(decodeLines(t, buf.String()), "request")) != 1 {
		t.Errorf("no access line on the default logger: %q", buf.String())
	}
}

// TestMiddlewareConcurrent runs parallel requests whose handlers log from
// several goroutines; each line must carry its own request's fields. Run
// with -race.
func TestMiddlewareConcurrent(t *testing.T) {
	var buf syncBuffer
	logger := applog.New(&buf, applog.Options{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				applog.SetUserID(r.Context(), r.PathValue("id"))
				logger.InfoContext(r.Context(), "work", "id", r.PathValue("id"))
			})
		}
		wg.Wait()
		io.WriteString(w, r.PathValue("id"))
	})
	srv := httptest.NewServer(applog.Middleware(logger, applog.MiddlewareOptions{})(mux))
	defer srv.Close()

	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/users/%d", srv.URL, i), nil)
			req.Header.Set("X-Request-ID", fmt.Sprintf("req-%d", i))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	}
	wg.Wait()
	srv.Close() // waits for handlers, so every access line is written

	lines := decodeLines(t, buf.String())
	if len(lines) != n*5 {
		t.Fatalf("got %d lines, want %d", len(lines), n*5)
	}
	for _, l := range lines {
		id, _ := l["user_id"].(string)
		if l["request_id"] != "req-"+id {
			t.Errorf("%v line: request_id %v, user_id %v", l["msg"], l["request_id"], l["user_id"])
		}
		if l["msg"] == "request" && (l["route"] != "GET /users/{id}" || l["bytes"] != float64(len(id))) {
			t.Errorf("access line = %v", l)
		}
	}
}
