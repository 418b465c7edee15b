package gateway

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/config"
)

// upstream is a real HTTP server on 127.0.0.1 that records what reached it
// and echoes the body back.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

type seen struct {
	method, uri string
	header      http.Header
	body        []byte
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, seen{r.Method, r.RequestURI, r.Header.Clone(), b})
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("X-Upstream", "yes")
		_, _ = w.Write(b)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.reqs)
}

func (u *upstream) last() seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.reqs[len(u.reqs)-1]
}

// memSink keeps records for assertions.
type memSink struct {
	mu     sync.Mutex
	access []AccessRecord
	events []Event
}

func (s *memSink) Access(_ context.Context, r AccessRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = append(s.access, r)
}

func (s *memSink) WAFEvent(_ context.Context, e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

func (s *memSink) lastAccess() AccessRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access[len(s.access)-1]
}

func (s *memSink) eventFor(id string) *Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.events {
		if s.events[i].RequestID == id {
			return &s.events[i]
		}
	}
	return nil
}

// gatewayConfig is the default gateway section pointed at up.
func gatewayConfig(up string, mode string) config.Gateway {
	g := config.Default().Gateway
	g.Upstream = up
	g.WAF.Mode = mode
	return g
}

// startGateway serves a Gateway on a real loopback listener.
func startGateway(t *testing.T, opts Options) (*httptest.Server, *memSink) {
	t.Helper()
	sink := &memSink{}
	if opts.Sink == nil {
		opts.Sink = sink
	}
	g, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(func() { srv.Close(); g.Close() })
	return srv, sink
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), 20*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func newReq(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
