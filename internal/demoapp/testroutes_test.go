package demoapp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTestErrorReportsAndAnswers500(t *testing.T) {
	ta := newTestApp(t)
	r := ta.do("GET", "/api/test/error", "", nil)
	wantError(t, r, http.StatusInternalServerError, "internal server error")
	if strings.Contains(r.raw, "ledger") {
		t.Fatalf("internal error text leaked to the client: %s", r.raw)
	}
	got := ta.reported()
	if len(got) != 1 || !errors.Is(got[0].err, errDeliberate) {
		t.Fatalf("OnError calls %v, want one with errDeliberate", got)
	}
	lines := ta.logs.lines(t, "request failed")
	if len(lines) != 1 || lines[0]["level"] != "ERROR" || lines[0]["error"] != errDeliberate.Error() {
		t.Fatalf("error lines %v", lines)
	}
}

func TestTestPanicIsRecovered(t *testing.T) {
	ta := newTestApp(t)
	wantError(t, ta.do("GET", "/api/test/panic", "", nil), http.StatusInternalServerError, "internal server error")

	got := ta.reported()
	if len(got) != 1 {
		t.Fatalf("OnError called %d times, want 1", len(got))
	}
	var pe *PanicError
	if !errors.As(got[0].err, &pe) {
		t.Fatalf("OnError got %T, want *PanicError", got[0].err)
	}
	if !strings.Contains(string(pe.Stack), "handleTestPanic") {
		t.Fatalf("stack does not show the panicking handler:\n%s", pe.Stack)
	}
	access := ta.logs.lines(t, "http request")
	if len(access) != 1 || access[0]["status"] != float64(500) {
		t.Fatalf("access lines %v, want one with status 500", access)
	}
	// The server survived.
	wantStatus(t, ta.do("GET", "/api/health", "", nil), http.StatusOK)
}

func TestPanicAfterHeadersIsReportedOnly(t *testing.T) {
	var reported error
	a := New(Options{OnError: func(_ *http.Request, err error) { reported = err }})
	h := a.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		panic("late")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != http.StatusAccepted || rec.Body.Len() != 0 {
		t.Fatalf("status %d body %q: the recovery wrote over a sent response", rec.Code, rec.Body)
	}
	if reported == nil {
		t.Fatal("late panic not reported")
	}
}

func TestTestSlow(t *testing.T) {
	ta := newTestApp(t)
	r := ta.do("GET", "/api/test/slow?ms=20", "", nil)
	wantStatus(t, r, http.StatusOK)
	if r.body["slept_ms"] != float64(20) {
		t.Fatalf("slept_ms %v", r.body["slept_ms"])
	}
	for _, q := range []string{"", "?ms=-1", "?ms=abc"} {
		wantError(t, ta.do("GET", "/api/test/slow"+q, "", nil), http.StatusBadRequest, "ms:")
	}
}

func TestSlowDuration(t *testing.T) {
	tests := map[string]time.Duration{
		"0": 0, "250": 250 * time.Millisecond, "5000": maxSlow, "5001": maxSlow,
		"99999999999999999": maxSlow, // would overflow as a Duration
	}
	for in, want := range tests {
		if got, err := slowDuration(in); err != nil || got != want {
			t.Errorf("slowDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestSlowGivesUpWhenTheRequestIsCancelled(t *testing.T) {
	a := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/test/slow?ms=5000", nil).WithContext(ctx))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503 for a cancelled request", rec.Code)
	}
}

func TestErrorsAreJSON(t *testing.T) {
	ta := newTestApp(t)
	wantError(t, ta.do("GET", "/nope", "", nil), http.StatusNotFound, "not found")
	wantError(t, ta.do("GET", "/api/payments/x/y", "", nil), http.StatusNotFound, "not found")
	r := ta.do("DELETE", "/api/payments", "", nil)
	wantError(t, r, http.StatusMethodNotAllowed, "DELETE")
	if got := r.header.Get("Allow"); got != "GET, HEAD, POST" {
		t.Fatalf("Allow %q", got)
	}
	wantError(t, ta.do("GET", "/api/auth/login", "", nil), http.StatusMethodNotAllowed, "GET")
	wantStatus(t, ta.do("HEAD", "/api/health", "", nil), http.StatusOK)
}

func TestHookAnswersLikeSlack(t *testing.T) {
	var logs bytes.Buffer
	app := New(Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/api/test/hooks/ops", "application/json", strings.NewReader(`{"text":"[FIRING:1] ApiDown"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), `"msg":"alert received","hook":"ops","text":"[FIRING:1] ApiDown"`) {
		t.Fatalf("log: %s", logs.String())
	}
}
