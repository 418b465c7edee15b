package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/alert"
)

func apiCall(t *testing.T, a *App, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, a.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// Through a running Warden: the app appends an event with the ingest
// scope, an admin's silence is recorded in the trail with its actor, the
// trail verifies, and a tampered trail raises the critical alert.
func TestAuditWiredIntoServe(t *testing.T) {
	cfg := testConfig(t)
	cfg.Audit.Actions = []string{"loan.applied"}
	a := startTestApp(t, cfg)
	ingest, admin := tokenWithout["read"], tokenWithout["ingest"] // both carry ingest/admin/audit as needed

	st, body := apiCall(t, a, "POST", "/api/v1/audit/events", ingest,
		`{"actor":{"type":"user","id":"u-1"},"action":"loan.applied","outcome":"success","details":{"card":"4111 1111 1111 1111"}}`)
	if st != 201 {
		t.Fatalf("append: %d %v", st, body)
	}
	if st, body := apiCall(t, a, "POST", "/api/v1/audit/events", ingest,
		`{"actor":{"type":"user","id":"u-1"},"action":"loan.denied","outcome":"success"}`); st != 400 || body["field"] != "action" {
		t.Fatalf("unknown action: %d %v", st, body)
	}
	st, body = apiCall(t, a, "POST", "/api/v1/silences", admin, `{"matchers":["alertname=\"X\""],"duration":"1h","comment":"maintenance"}`)
	if st != 201 && st != 200 {
		t.Fatalf("silence: %d %v", st, body)
	}
	st, body = apiCall(t, a, "GET", "/api/v1/audit/events?action=admin.silence.create", admin, "")
	evs, _ := body["events"].([]any)
	if st != 200 || len(evs) != 1 {
		t.Fatalf("silence not audited: %d %v", st, body)
	}
	ev := evs[0].(map[string]any)
	if ev["actor"].(map[string]any)["id"] != "token:no-ingest" || ev["target"].(map[string]any)["type"] != "silence" {
		t.Fatalf("silence event %v", ev)
	}
	// Details are scrubbed before they are hashed.
	_, body = apiCall(t, a, "GET", "/api/v1/audit/events?action=loan.applied", admin, "")
	if s, _ := json.Marshal(body); strings.Contains(string(s), "4111 1111 1111 1111") {
		t.Fatalf("card number stored: %s", s)
	}

	ctx := context.Background()
	if err := a.Audit.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := VerifyAudit(ctx, a.Audit, a.Alerts); err != nil {
		t.Fatalf("untouched trail: %v", err)
	}
	for _, q := range []string{"DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET outcome = 'failure' WHERE seq = 0"} {
		if _, err := a.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := VerifyAudit(ctx, a.Audit, a.Alerts); err == nil || !strings.Contains(err.Error(), "event 0 edited") {
		t.Fatalf("tampered trail: %v", err)
	}
	found := false
	for _, al := range a.Alerts.Firing() {
		if al.Name() == "AuditTrailVerifyFailed" && al.State == alert.Firing && strings.Contains(al.Annotations["description"], "event 0") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no AuditTrailVerifyFailed alert: %+v", a.Alerts.Firing())
	}
}
