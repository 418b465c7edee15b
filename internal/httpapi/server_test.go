package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/auth"
)

type echoBody struct {
	Name   string `json:"name"`
	Amount int    `json:"amount"`
}

func testServer(t *testing.T) *httptest.Server {
	t.Helper()
	s := New(Options{
		Tokens:  auth.NewTokens([]auth.Token{{Name: "reader", Secret: "reader-0123456789", Scopes: []string{"read"}}}),
		MaxBody: 64,
	})
	s.HandleFunc("POST /api/v1/echo", "read", func(w http.ResponseWriter, r *http.Request) {
		var b echoBody
		if err := DecodeJSON(r, &b); err != nil {
			WriteErr(w, r, err)
			return
		}
		p, _ := auth.FromContext(r.Context())
		WriteJSON(w, http.StatusOK, map[string]any{"name": b.Name, "by": p.Name})
	})
	s.HandleFunc("POST /api/v1/big", "read", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			WriteErr(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]int64{"read": n})
	}, WithMaxBody(1024))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, srv *httptest.Server, path, token, body string) (int, ErrorBody, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e ErrorBody
	json.Unmarshal(raw, &e)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	return resp.StatusCode, e, string(raw)
}

func TestJSONErrors(t *testing.T) {
	srv := testServer(t)
	tok := "reader-0123456789"
	tests := []struct {
		name, path, token, body string
		status                  int
		field, msg              string
	}{
		{"ok", "/api/v1/echo", tok, `{"name":"a"}`, 200, "", ""},
		{"no token", "/api/v1/echo", "", `{}`, 401, "", "missing bearer token"},
		{"bad token", "/api/v1/echo", "nope", `{}`, 401, "", "unknown token"},
		{"unknown field", "/api/v1/echo", tok, `{"nmae":"a"}`, 400, "nmae", `unknown field "nmae"`},
		{"wrong type", "/api/v1/echo", tok, `{"amount":"ten"}`, 400, "amount", "amount must be int, not string"},
		{"syntax", "/api/v1/echo", tok, `{"name":`, 400, "", "ends in the middle"},
		{"empty", "/api/v1/echo", tok, ``, 400, "", "body is empty"},
		{"two values", "/api/v1/echo", tok, `{} {}`, 400, "", "one JSON value"},
		{"default cap", "/api/v1/echo", tok, `{"name":"` + strings.Repeat("a", 100) + `"}`, 413, "", "larger than 64 bytes"},
		{"route cap allows more", "/api/v1/big", tok, strings.Repeat("a", 1000), 200, "", ""},
		{"route cap", "/api/v1/big", tok, strings.Repeat("a", 1025), 413, "", "larger than 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, e, raw := call(t, srv, tt.path, tt.token, tt.body)
			if status != tt.status || e.Field != tt.field || !strings.Contains(e.Error, tt.msg) {
				t.Fatalf("got %d %s; want %d field %q msg %q", status, raw, tt.status, tt.field, tt.msg)
			}
			if status >= 400 && e.RequestID == "" {
				t.Errorf("error body lacks request_id: %s", raw)
			}
		})
	}
}

func TestForbiddenWithoutScope(t *testing.T) {
	s := New(Options{Tokens: auth.NewTokens([]auth.Token{{Name: "app", Secret: "app-0123456789abcd", Scopes: []string{"ingest"}}})})
	s.HandleFunc("GET /api/v1/secret", "admin", func(w http.ResponseWriter, r *http.Request) { t.Error("handler ran") })
	srv := httptest.NewServer(s)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/secret", nil)
	req.Header.Set("Authorization", "Bearer app-0123456789abcd")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), `lacks the scope \"admin\"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if got := s.Routes(); len(got) != 4 || got[3].Scope != "admin" || got[3].Access != Scoped {
		t.Fatalf("routes = %+v", got)
	}
}
