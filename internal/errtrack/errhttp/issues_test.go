package errhttp

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/errtrack/errsql"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

func patch(t *testing.T, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("PATCH", url, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, m := do(t, req)
	return resp.StatusCode, m
}

func TestIssuesAPI(t *testing.T) {
	storetest.ForEach(t, []store.MigrationSet{errsql.Migrations}, func(t *testing.T, db *store.DB) {
		s := newServer(t, db)
		ev := func(i int, release string) []byte {
			return envelopeOf(fmt.Sprintf(`{"event_id":%q,"release":%q,"environment":"production","exception":[{"type":"PaymentError","value":"declined %d"}],"transaction":"POST /api/pay","user":{"id":"u%d"},"request":{"method":"POST","url":"https://x/api/pay"}}`, eventID(i), release, i, i%2))
		}
		for i := 0; i < 3; i++ {
			if resp, m := post(t, s.URL+"/api/7/envelope/", ev(i, "r1"), auth7()); resp.StatusCode != 200 {
				t.Fatalf("%d %v", resp.StatusCode, m)
			}
		}
		var list struct{ Issues []errtrack.Issue }
		if code := getJSON(t, s.URL+"/api/v1/issues?status=unresolved&environment=production", readToken, &list); code != 200 || len(list.Issues) != 1 {
			t.Fatalf("list %d %+v", code, list)
		}
		is := list.Issues[0]
		if is.Count != 3 || is.Users != 2 || is.Title != "PaymentError: declined 0" || is.Culprit != "POST /api/pay" || is.Level != "error" {
			t.Fatalf("issue %+v", is)
		}
		url := fmt.Sprintf("%s/api/v1/issues/%d", s.URL, is.ID)
		var detail map[string]any
		if code := getJSON(t, url, readToken, &detail); code != 200 || detail["latest_event"] == nil || detail["tags"] == nil {
			t.Fatalf("show %d %v", code, detail)
		}
		var evs struct{ Events []map[string]any }
		if code := getJSON(t, url+"/events?limit=2", readToken, &evs); code != 200 || len(evs.Events) != 2 || evs.Events[0]["event"] == nil {
			t.Fatalf("events %d %+v", code, evs)
		}
		for _, bad := range []string{"/api/v1/issues?status=nope", "/api/v1/issues?limit=0", "/api/v1/issues/abc"} {
			var m map[string]any
			if code := getJSON(t, s.URL+bad, readToken, &m); code != 400 || m["error"] == nil {
				t.Errorf("%s: %d %v", bad, code, m)
			}
		}
		var m map[string]any
		if code := getJSON(t, s.URL+"/api/v1/issues/999999", readToken, &m); code != 404 {
			t.Errorf("missing issue: %d", code)
		}
		if code := getJSON(t, s.URL+"/api/v1/issues", "", &m); code != 401 {
			t.Errorf("no token: %d", code)
		}
		// Changing status needs admin.
		if code, _ := patch(t, url, readToken, `{"status":"resolved"}`); code != 403 {
			t.Fatalf("read token patched: %d", code)
		}
		if code, m := patch(t, url, adminToken, `{"status":"fixed"}`); code != 400 || m["field"] != "status" {
			t.Fatalf("bad status: %d %v", code, m)
		}
		if code, m := patch(t, url, adminToken, `{"status":"resolved","resolved_in_release":"r2"}`); code != 200 || m["status"] != "resolved" || m["resolved_in_release"] != "r2" {
			t.Fatalf("resolve: %d %v", code, m)
		}
		if len(s.alerts.resolved) != 3 {
			t.Fatalf("resolving the issue resolved %d alerts, want 3", len(s.alerts.resolved))
		}
		// r1 is still deployed somewhere: no regression. r2 fails: regression.
		post(t, s.URL+"/api/7/envelope/", ev(10, "r1"), auth7())
		getJSON(t, url, readToken, &detail)
		if detail["status"] != "resolved" {
			t.Fatalf("old release reopened: %v", detail["status"])
		}
		post(t, s.URL+"/api/7/envelope/", ev(11, "r2"), auth7())
		getJSON(t, url, readToken, &detail)
		if detail["status"] != "unresolved" || detail["regressed_at"] == nil {
			t.Fatalf("no regression: %v", detail)
		}
		if names := s.alerts.names(); !slices.Equal(names, []string{errtrack.AlertNewIssue, errtrack.AlertRegression}) {
			t.Fatalf("alerts %v", names)
		}
		if code, m := patch(t, url, adminToken, `{"status":"ignored"}`); code != 200 || m["status"] != "ignored" {
			t.Fatalf("ignore: %d %v", code, m)
		}
		if code, _ := patch(t, s.URL+"/api/v1/issues/999999", adminToken, `{"status":"ignored"}`); code != 404 {
			t.Fatalf("missing: %d", code)
		}
	})
}
