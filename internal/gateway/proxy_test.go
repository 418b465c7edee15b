package gateway

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
)

func TestRequestIDsAndForwardedHeaders(t *testing.T) {
	up := newUpstream(t)
	srv, sink := startGateway(t, Options{Config: gatewayConfig(up.URL, config.WAFOff)})

	req := newReq(t, "GET", srv.URL+"/hello?x=1", "")
	req.Header.Set("X-Forwarded-For", "6.6.6.6") // from an untrusted peer: ignored
	resp, _ := do(t, req)
	id := resp.Header.Get(HeaderRequestID)
	if len(id) != 32 || !ValidRequestID(id) {
		t.Fatalf("minted id %q", id)
	}
	got := up.last()
	if got.header.Get(HeaderRequestID) != id {
		t.Errorf("upstream saw id %q, client got %q", got.header.Get(HeaderRequestID), id)
	}
	if xff := got.header.Get("X-Forwarded-For"); xff != "127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q, want only the peer", xff)
	}
	if got.header.Get("X-Forwarded-Proto") != "http" || got.header.Get("X-Forwarded-Host") != strings.TrimPrefix(srv.URL, "http://") {
		t.Errorf("X-Forwarded-Proto/Host = %q/%q", got.header.Get("X-Forwarded-Proto"), got.header.Get("X-Forwarded-Host"))
	}
	if got.uri != "/hello?x=1" {
		t.Errorf("upstream uri %q", got.uri)
	}
	rec := sink.lastAccess()
	if rec.RequestID != id || rec.ClientIP != "127.0.0.1" || rec.Status != 200 || rec.Route != "default" || rec.Method != "GET" || rec.Path != "/hello" || rec.WAF != WAFOutcomeOff {
		t.Errorf("access record %+v", rec)
	}

	req = newReq(t, "GET", srv.URL+"/", "")
	req.Header.Set(HeaderRequestID, "req-abc_123.4:5")
	resp, _ = do(t, req)
	if resp.Header.Get(HeaderRequestID) != "req-abc_123.4:5" || up.last().header.Get(HeaderRequestID) != "req-abc_123.4:5" {
		t.Errorf("well-formed incoming id not kept: %q", resp.Header.Get(HeaderRequestID))
	}
	req = newReq(t, "GET", srv.URL+"/", "")
	req.Header.Set(HeaderRequestID, "bad id\" with spaces")
	resp, _ = do(t, req)
	if resp.Header.Get(HeaderRequestID) == "bad id\" with spaces" || !ValidRequestID(resp.Header.Get(HeaderRequestID)) {
		t.Errorf("malformed incoming id kept: %q", resp.Header.Get(HeaderRequestID))
	}
}

func TestTrustedProxyForwardedFor(t *testing.T) {
	up := newUpstream(t)
	cfg := gatewayConfig(up.URL, config.WAFOff)
	cfg.TrustedProxies = []string{"127.0.0.0/8", "10.0.0.0/8"}
	srv, sink := startGateway(t, Options{Config: cfg})
	req := newReq(t, "GET", srv.URL+"/", "")
	// The client forged 1.1.1.1; our load balancer (10.0.0.5) saw 203.0.113.7.
	req.Header.Set("X-Forwarded-For", "1.1.1.1, 203.0.113.7, 10.0.0.5")
	req.Header.Set("X-Forwarded-Proto", "https")
	do(t, req)
	if rec := sink.lastAccess(); rec.ClientIP != "203.0.113.7" {
		t.Errorf("client ip = %q, want 203.0.113.7", rec.ClientIP)
	}
	h := up.last().header
	if h.Get("X-Forwarded-For") != "1.1.1.1, 203.0.113.7, 10.0.0.5, 127.0.0.1" || h.Get("X-Forwarded-Proto") != "https" {
		t.Errorf("forwarded headers %q %q", h.Get("X-Forwarded-For"), h.Get("X-Forwarded-Proto"))
	}
}

func TestClientIP(t *testing.T) {
	tp := TrustedProxies{mustPrefix("10.0.0.0/8"), mustPrefix("::1/128")}
	cases := []struct {
		remote string
		xff    []string
		want   string
	}{
		{"1.2.3.4:5", []string{"9.9.9.9"}, "1.2.3.4"},
		{"10.1.1.1:5", []string{"9.9.9.9"}, "9.9.9.9"},
		{"10.1.1.1:5", []string{"8.8.8.8, 9.9.9.9", "10.2.2.2"}, "9.9.9.9"},
		{"10.1.1.1:5", []string{"garbage"}, "10.1.1.1"},
		{"10.1.1.1:5", nil, "10.1.1.1"},
		{"[::1]:80", []string{"2001:db8::1"}, "2001:db8::1"},
		{"10.1.1.1:5", []string{"10.3.3.3"}, "10.3.3.3"},
	}
	for _, c := range cases {
		if got := tp.ClientIP(c.remote, c.xff).String(); got != c.want {
			t.Errorf("ClientIP(%q, %q) = %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

func mustPrefix(s string) (p netip.Prefix) {
	p, err := config.ParsePrefix(s)
	if err != nil {
		panic(err)
	}
	return p
}

func TestBodyLimits(t *testing.T) {
	up := newUpstream(t)
	srv, sink := startGateway(t, Options{Config: gatewayConfig(up.URL, config.WAFOff)})

	resp, body := do(t, newReq(t, "POST", srv.URL+"/api/auth/login", strings.Repeat("a", 10<<10+1)))
	if resp.StatusCode != 413 || up.count() != 0 {
		t.Fatalf("10 KiB + 1: status %d, upstream saw %d requests", resp.StatusCode, up.count())
	}
	var e struct {
		Error     string `json:"error"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.RequestID != resp.Header.Get(HeaderRequestID) || !strings.Contains(e.Error, "10240") {
		t.Errorf("413 body %s", body)
	}
	if rec := sink.lastAccess(); rec.Status != 413 || rec.Reason != "body_too_large" || rec.Route != "/api/auth/" {
		t.Errorf("record %+v", rec)
	}

	exact := strings.Repeat("b", 10<<10)
	resp, body = do(t, newReq(t, "POST", srv.URL+"/api/auth/login", exact))
	if resp.StatusCode != 200 || string(body) != exact || up.count() != 1 {
		t.Fatalf("exactly 10 KiB: status %d, %d bytes back", resp.StatusCode, len(body))
	}

	// A chunked body of unknown length is held back until it is known to fit.
	req := newReq(t, "POST", srv.URL+"/api/auth/login", "")
	req.Body = io.NopCloser(strings.NewReader(strings.Repeat("c", 20<<10)))
	req.ContentLength = -1
	resp, _ = do(t, req)
	if resp.StatusCode != 413 || up.count() != 1 {
		t.Errorf("chunked 20 KiB: status %d, upstream saw %d", resp.StatusCode, up.count())
	}
	// /api/ takes 1 MiB.
	resp, _ = do(t, newReq(t, "POST", srv.URL+"/api/payments", strings.Repeat("d", 500<<10)))
	if resp.StatusCode != 200 {
		t.Errorf("500 KiB to /api/: %d", resp.StatusCode)
	}
	resp, _ = do(t, newReq(t, "POST", srv.URL+"/api/payments", strings.Repeat("d", 1<<20+1)))
	if resp.StatusCode != 413 {
		t.Errorf("1 MiB + 1 to /api/: %d", resp.StatusCode)
	}
}

func TestRateLimit(t *testing.T) {
	up := newUpstream(t)
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, sink := startGateway(t, Options{Config: gatewayConfig(up.URL, config.WAFOff), Clock: clk})
	// /api/auth/: 5 per second, burst 10.
	for i := 0; i < 10; i++ {
		if resp, _ := do(t, newReq(t, "POST", srv.URL+"/api/auth/login", "{}")); resp.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d", i, resp.StatusCode)
		}
	}
	resp, body := do(t, newReq(t, "POST", srv.URL+"/api/auth/login", "{}"))
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(body), resp.Header.Get(HeaderRequestID)) {
		t.Fatalf("over the burst: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if rec := sink.lastAccess(); rec.Reason != "rate_limited" || rec.Status != 429 {
		t.Errorf("record %+v", rec)
	}
	if resp, _ := do(t, newReq(t, "GET", srv.URL+"/api/other", "")); resp.StatusCode != 200 {
		t.Errorf("a route without a limit is limited: %d", resp.StatusCode)
	}
	clk.Advance(200 * time.Millisecond) // one token back
	if resp, _ := do(t, newReq(t, "POST", srv.URL+"/api/auth/login", "{}")); resp.StatusCode != 200 {
		t.Errorf("after refill: %d", resp.StatusCode)
	}
	if up.count() != 12 {
		t.Errorf("upstream saw %d requests, want 12", up.count())
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	l := NewLimiter(1, 1, LimiterOptions{Clock: clk, MaxClients: 100})
	for i := 0; i < 10_000; i++ {
		l.Allow(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}))
	}
	if n := l.Len(); n > 100 {
		t.Errorf("limiter keeps %d clients, max 100", n)
	}
}

func TestUpstreamErrors(t *testing.T) {
	// Nothing listens on a closed port: 502.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	srv, sink := startGateway(t, Options{Config: gatewayConfig(dead, config.WAFOff)})
	resp, body := do(t, newReq(t, "GET", srv.URL+"/", ""))
	if resp.StatusCode != 502 || !strings.Contains(string(body), `"request_id":"`+resp.Header.Get(HeaderRequestID)+`"`) {
		t.Errorf("dead upstream: %d %s", resp.StatusCode, body)
	}
	if rec := sink.lastAccess(); rec.Reason != "upstream_error" {
		t.Errorf("record %+v", rec)
	}

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	cfg := gatewayConfig(slow.URL, config.WAFOff)
	cfg.UpstreamTimeout = config.Duration(100 * time.Millisecond)
	srv, _ = startGateway(t, Options{Config: cfg})
	resp, body = do(t, newReq(t, "GET", srv.URL+"/", ""))
	if resp.StatusCode != 504 || !strings.Contains(string(body), resp.Header.Get(HeaderRequestID)) {
		t.Errorf("slow upstream: %d %s", resp.StatusCode, body)
	}
}

func TestStreamingResponse(t *testing.T) {
	next := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: one\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-next:
		case <-time.After(10 * time.Second):
		}
		fmt.Fprint(w, "data: two\n\n")
	}))
	defer up.Close()
	for _, mode := range []string{config.WAFOff, config.WAFBlock} {
		t.Run(mode, func(t *testing.T) {
			srv, _ := startGateway(t, Options{Config: gatewayConfig(up.URL, mode), WAF: sharedWAF(t, mode)})
			resp, err := http.Get(srv.URL + "/events")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			br := bufio.NewReader(resp.Body)
			line, err := br.ReadString('\n') // arrives before the upstream finishes
			if err != nil || line != "data: one\n" {
				t.Fatalf("first event %q %v", line, err)
			}
			next <- struct{}{}
			rest, _ := io.ReadAll(br)
			if string(rest) != "\ndata: two\n\n" {
				t.Errorf("rest %q", rest)
			}
		})
	}
}

func TestWebSocketUpgrade(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			http.Error(w, "want upgrade", 400)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		line, _ := brw.ReadString('\n')
		fmt.Fprint(brw, "echo: "+line)
		brw.Flush()
	}))
	defer up.Close()
	for _, mode := range []string{config.WAFOff, config.WAFBlock} {
		t.Run(mode, func(t *testing.T) {
			srv, sink := startGateway(t, Options{Config: gatewayConfig(up.URL, mode), WAF: sharedWAF(t, mode)})
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprint(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != 101 {
				t.Fatalf("upgrade: %v %v", resp, err)
			}
			fmt.Fprint(conn, "hello\n")
			line, err := br.ReadString('\n')
			if err != nil || line != "echo: hello\n" {
				t.Errorf("through the tunnel: %q %v", line, err)
			}
			conn.Close()
			waitFor(t, func() bool { sink.mu.Lock(); defer sink.mu.Unlock(); return len(sink.access) == 1 })
			if rec := sink.lastAccess(); rec.Status != 101 {
				t.Errorf("record %+v", rec)
			}
		})
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met in 5s")
}

func TestLimiterCountsIPv6Per64(t *testing.T) {
	l := NewLimiter(1, 2, LimiterOptions{Clock: clock.NewFake(time.Unix(0, 0))})
	a := netip.MustParseAddr("2001:db8:1:2::1")
	b := netip.MustParseAddr("2001:db8:1:2:ffff::9")
	other := netip.MustParseAddr("2001:db8:1:3::1")
	if ok, _ := l.Allow(a); !ok {
		t.Fatal("first request refused")
	}
	if ok, _ := l.Allow(b); !ok {
		t.Fatal("second request (same /64) refused")
	}
	if ok, wait := l.Allow(b); ok || wait != time.Second {
		t.Errorf("third request from the same /64: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow(other); !ok {
		t.Error("another /64 shares the bucket")
	}
}
