package demoapp

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestAccessLog(t *testing.T) {
	ta := newTestApp(t)
	token := ta.login("alice", "wonderland")
	r := ta.do("GET", "/api/payments/pay_missing", token, nil, "X-Request-ID", "req-42")
	if r.header.Get("X-Request-ID") != "req-42" {
		t.Fatalf("X-Request-ID not echoed: %v", r.header)
	}
	ta.do("GET", "/api/health", "", nil)
	ta.do("GET", "/api/health", "", nil, "X-Request-ID", strings.Repeat("r", 500))

	lines := ta.logs.lines(t, "http request")
	if len(lines) != 4 {
		t.Fatalf("%d access lines, want 4 (one per request)", len(lines))
	}
	got := lines[1]
	want := map[string]any{
		"level": "INFO", "method": "GET", "path": "/api/payments/pay_missing", "route": "GET /api/payments/{id}",
		"status": float64(404), "request_id": "req-42", "user_id": "u_1001", "duration_ms": float64(0),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (line %v)", k, got[k], v, got)
		}
	}
	if _, ok := lines[2]["user_id"]; ok {
		t.Errorf("anonymous request logged with a user_id: %v", lines[2])
	}
	if _, ok := lines[2]["request_id"]; ok {
		t.Errorf("request without X-Request-ID logged with one: %v", lines[2])
	}
	if id := str(lines[3]["request_id"]); len(id) != maxRequestIDLen {
		t.Errorf("long request id logged with %d characters, want %d", len(id), maxRequestIDLen)
	}

	// Event lines carry the request id too, to join them to access lines.
	for _, e := range ta.logs.lines(t, "login succeeded") {
		if e["event"] != "auth.login" {
			t.Errorf("login line %v", e)
		}
	}
}

// TestConcurrentUse runs logins and payments from many goroutines; run
// with -race it checks the locking of the in-memory state.
func TestConcurrentUse(t *testing.T) {
	a := New(Options{})
	h := a.Handler()
	call := func(method, target, token, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	const paymentJSON = `{"amount":"10.00","currency":"EUR","recipient_iban":"DE89370400440532013000"}`
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			creds := `{"username":"alice","password":"wonderland"}`
			if i%2 == 1 {
				creds = `{"username":"bob","password":"builder"}`
			}
			var login loginResponse
			if err := json.Unmarshal(call("POST", "/api/auth/login", "", creds).Body.Bytes(), &login); err != nil {
				t.Errorf("login: %v", err)
				return
			}
			for range 10 {
				rec := call("POST", "/api/payments", login.Token, paymentJSON)
				var p payment
				if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
					t.Errorf("create: %d %s", rec.Code, rec.Body)
					return
				}
				if rec := call("GET", "/api/payments/"+p.ID, login.Token, ""); rec.Code != http.StatusOK {
					t.Errorf("get: %d %s", rec.Code, rec.Body)
				}
				call("GET", "/api/payments", login.Token, "")
			}
		})
	}
	wg.Wait()
	if n := len(a.payments.list("u_1001")); n != 40 {
		t.Fatalf("alice has %d payments, want 40", n)
	}
}
