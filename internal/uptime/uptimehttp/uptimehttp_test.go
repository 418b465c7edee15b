package uptimehttp_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
	"github.com/wardenhq/warden/internal/uptime"
	"github.com/wardenhq/warden/internal/uptime/condition"
	"github.com/wardenhq/warden/internal/uptime/uptimehttp"
	"github.com/wardenhq/warden/internal/uptime/uptimesql"
)

const (
	readTok  = "read-token-0123456789abcdef"
	adminTok = "admin-token-0123456789abcdef"
)

func server(t *testing.T, db *store.DB) *httptest.Server {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cond, _ := condition.Parse("status == 200")
	c := &uptime.Check{Name: "api", Kind: "http", URL: "http://127.0.0.1:1/", Public: true, Interval: 30 * time.Second,
		Timeout: time.Second, FailureThreshold: 2, SuccessThreshold: 1, Severity: "critical", Conditions: []*condition.Expr{cond}}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	m := uptime.New(uptime.Options{Checks: []*uptime.Check{c}, Store: uptimesql.New(db), Clock: clock.NewFake(now), Logger: logger})
	for i, ok := range []bool{true, false, false, true} {
		r := uptime.Result{Check: "api", At: now.Add(time.Duration(i-4) * 30 * time.Second), OK: ok, Status: 200, Latency: 20 * time.Millisecond}
		if !ok {
			r.Status, r.Error = 500, "failed: status == 200 (status = 500)"
		}
		if err := m.Apply(context.Background(), c, r); err != nil {
			t.Fatal(err)
		}
	}
	srv := httpapi.New(httpapi.Options{Logger: logger, MaxBody: 1 << 20, Tokens: auth.NewTokens([]auth.Token{
		{Name: "reader", Secret: readTok, Scopes: []string{"read"}}, {Name: "ops", Secret: adminTok, Scopes: []string{"read", "admin"}}})})
	(&uptimehttp.Handlers{Monitor: m}).Register(srv)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

func call(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestAPI(t *testing.T) {
	storetest.ForEach(t, []store.MigrationSet{uptimesql.Migrations}, func(t *testing.T, db *store.DB) {
		ts := server(t, db)
		code, out := call(t, "GET", ts.URL+"/api/v1/checks", readTok, "")
		checks, _ := out["checks"].([]any)
		if code != 200 || len(checks) != 1 {
			t.Fatalf("checks: %d %v", code, out)
		}
		c := checks[0].(map[string]any)
		fig := c["figures"].(map[string]any)
		if c["state"] != "up" || fig["mttd_seconds"] != 30.02 || fig["mttr_seconds"] != 29.98 || out["overall"] == nil {
			t.Errorf("check %v", c)
		}
		code, out = call(t, "GET", ts.URL+"/api/v1/checks/api/results?since=1h", readTok, "")
		if rs, _ := out["results"].([]any); code != 200 || len(rs) != 4 || rs[0].(map[string]any)["latency_ms"] != 20.0 {
			t.Errorf("results: %d %v", code, out)
		}
		code, out = call(t, "GET", ts.URL+"/api/v1/incidents", readTok, "")
		incs, _ := out["incidents"].([]any)
		if code != 200 || len(incs) != 1 || incs[0].(map[string]any)["open"] != false || incs[0].(map[string]any)["time_to_detect_seconds"] != 30.02 {
			t.Fatalf("incidents: %d %v", code, out)
		}
		if code, _ := call(t, "POST", ts.URL+"/api/v1/incidents/1/notes", readTok, `{"text":"x"}`); code != 403 {
			t.Errorf("note with read scope: %d", code)
		}
		if code, out := call(t, "POST", ts.URL+"/api/v1/incidents/1/notes", adminTok, `{"text":"rolled back; card 4111 1111 1111 1111"}`); code != 201 || strings.Contains(out["text"].(string), "4111 1111") {
			t.Errorf("note: %d %v", code, out)
		}
		code, out = call(t, "GET", ts.URL+"/api/v1/incidents/1", readTok, "")
		inc := out["incident"].(map[string]any)
		if probes, _ := out["probes"].([]any); code != 200 || len(probes) != 3 || len(inc["notes"].([]any)) != 1 {
			t.Errorf("incident: %d %v", code, out)
		}
		for _, bad := range []struct {
			method, path, body, field string
			code                      int
		}{
			{"GET", "/api/v1/checks/nope", "", "name", 404},
			{"GET", "/api/v1/checks/api/results?since=yesterday", "", "since", 400},
			{"GET", "/api/v1/checks/api/results?limit=0", "", "limit", 400},
			{"GET", "/api/v1/incidents?open=maybe", "", "open", 400},
			{"GET", "/api/v1/incidents?check=nope", "", "check", 400},
			{"GET", "/api/v1/incidents/abc", "", "id", 400},
			{"GET", "/api/v1/incidents/99", "", "id", 404},
			{"POST", "/api/v1/incidents/1/notes", `{"text":""}`, "text", 400},
			{"POST", "/api/v1/incidents/1/notes", `{"txt":"x"}`, "", 400},
		} {
			code, out := call(t, bad.method, ts.URL+bad.path, adminTok, bad.body)
			if code != bad.code || out["error"] == nil || (bad.field != "" && out["field"] != bad.field) {
				t.Errorf("%s %s: %d %v, want %d naming %q", bad.method, bad.path, code, out, bad.code, bad.field)
			}
		}
	})
}
