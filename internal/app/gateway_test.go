package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/gateway"
	"github.com/wardenhq/warden/internal/logs"
)

// recordSink collects the gateway's records in place of stdout.
type recordSink struct {
	mu     sync.Mutex
	access []gateway.AccessRecord
	events []gateway.Event
}

func (s *recordSink) Access(_ context.Context, r gateway.AccessRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = append(s.access, r)
}

func (s *recordSink) WAFEvent(_ context.Context, e gateway.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

// warden serve with gateway.upstream set runs the gateway on its own
// listener: requests reach the upstream, attacks get 403, the records and
// metrics are there, and shutdown lets an in-flight request finish.
func TestServeRunsGateway(t *testing.T) {
	release := make(chan struct{})
	var upstreamHits sync.WaitGroup
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			upstreamHits.Done()
			<-release
		}
		w.Header().Set("Content-Type", "application/json")
		io.Copy(w, r.Body)
	}))
	defer up.Close()

	sink := &recordSink{}
	prev := GatewayRecords
	GatewayRecords = func() gateway.Sink { return sink }
	defer func() { GatewayRecords = prev }()

	cfg := testConfig(t)
	cfg.Gateway.Upstream = up.URL
	cfg.Gateway.Listen = "127.0.0.1:0"
	a, err := New(context.Background(), cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	gw := "http://" + a.GatewayAddr()
	if a.GatewayAddr() == "" {
		t.Fatal("no gateway address")
	}

	// A named host, as in production: the CRS flags a numeric Host (920350).
	send := func(method, path, body string) (*http.Response, error) {
		req, _ := http.NewRequest(method, gw+path, strings.NewReader(body))
		req.Host = "pay.example.com"
		req.Header.Set("Content-Type", "application/json")
		return http.DefaultClient.Do(req)
	}
	resp, err := send("POST", "/api/payments", `{"amount":"12.50","reference":"Rent for March"}`)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"amount":"12.50","reference":"Rent for March"}` || resp.Header.Get("X-Request-ID") == "" {
		t.Fatalf("through the gateway: %d %s", resp.StatusCode, body)
	}
	resp, err = send("GET", "/api/search?q="+url.QueryEscape("1 UNION SELECT password FROM users--"), "")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("attack: %d", resp.StatusCode)
	}

	resp, err = http.Get(a.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`warden_gateway_requests_total{code="2xx",reason="",route="/api/",waf="pass"} 1`, `warden_gateway_waf_events_total{action="blocked"} 1`} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// Graceful drain: a request in flight when shutdown starts completes.
	upstreamHits.Add(1)
	slow := make(chan int, 1)
	go func() {
		resp, err := send("GET", "/slow", "")
		if err != nil {
			slow <- 0
			return
		}
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	upstreamHits.Wait()
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped <- a.Shutdown(ctx)
	}()
	time.Sleep(100 * time.Millisecond) // let shutdown begin; correctness does not depend on it
	close(release)
	if code := <-slow; code != 200 {
		t.Errorf("in-flight request during shutdown: %d", code)
	}
	if err := <-stopped; err != nil {
		t.Errorf("shutdown: %v", err)
	}

	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.access) != 3 || len(sink.events) != 1 {
		t.Errorf("records: %d access, %d WAF events", len(sink.access), len(sink.events))
	}
	js, _ := json.Marshal(sink.access[0])
	for _, k := range []string{"request_id", "client_ip", "duration_ms", "bytes_in", "bytes_out", "upstream_ms", `"waf":"pass"`, `"route":"/api/"`} {
		if !strings.Contains(string(js), k) {
			t.Errorf("access record lacks %s: %s", k, js)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// With the log store on, the gateway's access lines and WAF events are
// searchable like the app's own logs.
func TestGatewayRecordsAreSearchable(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"status":"ok"}`)) }))
	defer up.Close()
	cfg := testConfig(t)
	cfg.Gateway.Upstream = up.URL
	cfg.Gateway.Listen = "127.0.0.1:0"
	a := startTestApp(t, cfg)
	gw := "http://" + a.GatewayAddr()
	for _, path := range []string{"/api/health", "/api/search?q=" + url.QueryEscape("1 UNION SELECT password FROM users--")} {
		req, _ := http.NewRequest("GET", gw+path, nil)
		req.Host = "pay.example.com"
		req.Header.Set("X-Request-ID", "trace-"+strings.Repeat("a", 8))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for _, q := range []string{`service:=gateway kind:=access status:=200 path:="/api/health"`, `service:=gateway kind:=waf action:=blocked rule_ids:942100`} {
		deadline := time.Now().Add(10 * time.Second)
		for {
			res, err := a.Logs.Query(context.Background(), logs.QueryRequest{Query: q})
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if len(res.Rows) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no log line for %s", q)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
