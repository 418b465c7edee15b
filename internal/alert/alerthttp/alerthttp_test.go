package alerthttp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/alertsql"
	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/store/storetest"
)

type sink struct {
	mu   sync.Mutex
	sent []*alert.Notification
}

func (s *sink) Name() string { return "ops" }
func (s *sink) Type() string { return "test" }
func (s *sink) Send(_ context.Context, n *alert.Notification) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, n)
	return nil
}

const admin = "admin-token-0123456789"

func setup(t *testing.T) (*httptest.Server, *alert.Router, *clock.Fake, *sink) {
	t.Helper()
	db := storetest.SQLite(t, alertsql.Migrations)
	cfg := config.Default().Alerts
	cfg.Defaults.Channels = []string{"ops"}
	cfg.Defaults.GroupWait = 0
	routes, err := alert.RoutesFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	ch := &sink{}
	r, err := alert.New(alert.Options{Store: alertsql.New(db), Clock: clk, Routes: routes, Channels: []alert.Channel{ch}, SendResolved: map[string]bool{"ops": true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background()) })
	s := httpapi.New(httpapi.Options{Tokens: auth.NewTokens([]auth.Token{{Name: "ops", Secret: admin, Scopes: []string{"read", "admin", "ingest"}}})})
	(&Handlers{Router: r, Store: alertsql.New(db), ResolveTimeout: 5 * time.Minute, Now: clk.Now}).Register(s)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, r, clk, ch
}

func call(t *testing.T, srv *httptest.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+admin)
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

// Alerts posted the way Prometheus posts them to Alertmanager flow through
// the routes; endsAt in the past resolves them.
func TestReceiveAlertmanagerFormat(t *testing.T) {
	srv, r, clk, ch := setup(t)
	body := `[{"labels":{"alertname":"InstanceDown","instance":"db1","severity":"critical"},
	  "annotations":{"summary":"db1 is down"},"startsAt":"2026-11-23T11:59:00Z","generatorURL":"http://prom/graph","extra":"ignored"}]`
	if code, out := call(t, srv, "POST", "/api/v2/alerts", body); code != 200 {
		t.Fatalf("receive: %d %v", code, out)
	}
	clk.Advance(time.Second)
	r.WaitIdle()
	if len(ch.sent) != 1 || ch.sent[0].Alerts[0].Labels["instance"] != "db1" || ch.sent[0].Alerts[0].Labels["source"] != "alertmanager-api" {
		t.Fatalf("sent %+v", ch.sent)
	}
	code, out := call(t, srv, "GET", "/api/v1/alerts?state=firing", "")
	if code != 200 || len(out["alerts"].([]any)) != 1 {
		t.Fatalf("list: %d %v", code, out)
	}
	resolved := strings.Replace(body, `"generatorURL"`, `"endsAt":"2026-11-23T12:00:00Z","generatorURL"`, 1)
	call(t, srv, "POST", "/api/v2/alerts", resolved)
	code, out = call(t, srv, "GET", "/api/v1/alerts?state=resolved", "")
	if code != 200 || len(out["alerts"].([]any)) != 1 {
		t.Fatalf("after resolve: %d %v", code, out)
	}
	for _, bad := range []string{`{}`, `[{"labels":{}}]`, `[{"labels":{"alertname":"x","bad-name":"y"}}]`, `nope`} {
		if code, out := call(t, srv, "POST", "/api/v2/alerts", bad); code != 400 || out["error"] == "" {
			t.Errorf("%s: %d %v", bad, code, out)
		}
	}
}

func TestSilencesAPI(t *testing.T) {
	srv, _, _, _ := setup(t)
	code, out := call(t, srv, "POST", "/api/v1/silences", `{"matchers":["alertname=\"DiskFull\"", {"name":"host","value":"db.*","isRegex":true}],"duration":"2h","comment":"disk swap"}`)
	if code != 201 {
		t.Fatalf("create: %d %v", code, out)
	}
	id := out["silenceID"].(string)
	sil := out["silence"].(map[string]any)
	if sil["createdBy"] != "token:ops" || len(sil["matchers"].([]any)) != 2 {
		t.Fatalf("created %v", sil)
	}
	code, out = call(t, srv, "GET", "/api/v1/silences", "")
	if code != 200 || out["silences"].([]any)[0].(map[string]any)["state"] != "active" {
		t.Fatalf("list: %d %v", code, out)
	}
	if code, _ := call(t, srv, "DELETE", "/api/v1/silences/"+id, ""); code != 200 {
		t.Fatalf("expire: %d", code)
	}
	if code, _ := call(t, srv, "DELETE", "/api/v1/silences/nope", ""); code != 404 {
		t.Fatalf("expire unknown: %d", code)
	}
	for _, bad := range []string{
		`{"matchers":[],"duration":"1h","comment":"x"}`,
		`{"matchers":["alertname=~\".*\""],"duration":"1h","comment":"x"}`,
		`{"matchers":["alertname=\"x\""],"duration":"1h"}`,
		`{"matchers":["alertname=\"x\""],"duration":"soon","comment":"x"}`,
		`{"matchers":["not a matcher"],"duration":"1h","comment":"x"}`,
	} {
		if code, out := call(t, srv, "POST", "/api/v1/silences", bad); code != 400 || out["error"] == "" {
			t.Errorf("%s: %d %v", bad, code, out)
		}
	}
}

func TestTestAndDeliveries(t *testing.T) {
	srv, _, _, ch := setup(t)
	code, out := call(t, srv, "POST", "/api/v1/alerts/test?channel=ops", "")
	if code != 200 || out["delivered"] != true || len(ch.sent) != 1 || !ch.sent[0].Test {
		t.Fatalf("test: %d %v", code, out)
	}
	if code, _ := call(t, srv, "POST", "/api/v1/alerts/test?channel=nope", ""); code != 404 {
		t.Fatalf("unknown channel: %d", code)
	}
	code, out = call(t, srv, "GET", "/api/v1/alerts/deliveries?limit=10", "")
	ds := out["deliveries"].([]any)
	if code != 200 || len(ds) != 1 || ds[0].(map[string]any)["status"] != "delivered" {
		t.Fatalf("deliveries: %d %v", code, out)
	}
	if code, _ := call(t, srv, "GET", "/api/v1/alerts/deliveries?limit=0", ""); code != 400 {
		t.Fatalf("bad limit: %d", code)
	}
}
