package demoapp

import (
	"net/http"
	"strings"
	"testing"
)

func TestLogin(t *testing.T) {
	ta := newTestApp(t)

	r := ta.do("POST", "/api/auth/login", "", map[string]string{"username": "alice", "password": "wonderland"})
	wantStatus(t, r, http.StatusOK)
	if tok, _ := r.body["token"].(string); tok == "" {
		t.Fatalf("no token in %s", r.raw)
	}
	if id, _ := r.body["user_id"].(string); !strings.HasPrefix(id, "u_") {
		t.Fatalf("user_id %q, want u_...", id)
	}

	bad := []struct{ name, user, password string }{
		{"wrong password", "alice", "wonderlnad"},
		{"unknown user", "mallory", "wonderland"},
		{"empty password", "bob", ""},
		{"other user's password", "bob", "wonderland"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := ta.do("POST", "/api/auth/login", "", map[string]string{"username": tc.user, "password": tc.password})
			wantError(t, r, http.StatusUnauthorized, "invalid username or password")
		})
	}
	wantError(t, ta.do("POST", "/api/auth/login", "", `{"username":`), http.StatusBadRequest, "invalid JSON")

	events := ta.logs.lines(t, "")
	var outcomes []string
	for _, e := range events {
		if e["event"] == "auth.login" {
			outcomes = append(outcomes, e["outcome"].(string)+":"+str(e["user_id"]))
		}
		if strings.Contains(str(e["password"]), "wonder") {
			t.Fatalf("password logged: %v", e)
		}
	}
	want := "success:u_1001 failure:u_1001 failure: failure:u_1002 failure:u_1002"
	if got := strings.Join(outcomes, " "); got != want {
		t.Fatalf("auth.login events %q, want %q", got, want)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func TestPaymentsNeedToken(t *testing.T) {
	ta := newTestApp(t)
	for _, token := range []string{"", "tok_forged"} {
		r := ta.do("GET", "/api/payments", token, nil)
		wantError(t, r, http.StatusUnauthorized, "bearer token")
		if r.header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
	}
	wantStatus(t, ta.do("GET", "/api/payments/pay_x", "", nil), http.StatusUnauthorized)
	wantStatus(t, ta.do("POST", "/api/payments", "", map[string]string{}), http.StatusUnauthorized)
}

func TestTokenExpires(t *testing.T) {
	ta := newTestApp(t)
	token := ta.login("bob", "builder")
	ta.clock.Advance(tokenTTL - 1)
	wantStatus(t, ta.do("GET", "/api/payments", token, nil), http.StatusOK)
	ta.clock.Advance(1)
	wantStatus(t, ta.do("GET", "/api/payments", token, nil), http.StatusUnauthorized)
}
