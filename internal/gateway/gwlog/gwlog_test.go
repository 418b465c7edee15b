package gwlog

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/gateway"
	"github.com/wardenhq/warden/internal/logs"
)

// recorder is an Appender that keeps what it is given; block, when set,
// holds every append until it is closed.
type recorder struct {
	mu      sync.Mutex
	batches [][]logs.Record
	block   chan struct{}
	err     error
}

func (r *recorder) Append(_ context.Context, env, service string, recs []logs.Record) error {
	if r.block != nil {
		<-r.block
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if service != Service {
		panic("service " + service)
	}
	r.batches = append(r.batches, append([]logs.Record(nil), recs...))
	return r.err
}

func (r *recorder) records() []logs.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []logs.Record
	for _, b := range r.batches {
		all = append(all, b...)
	}
	return all
}

func closeSink(t *testing.T, s *Sink) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestCloseAppendsEverythingQueuedInBatches(t *testing.T) {
	rec := &recorder{}
	s := New(rec, Options{MaxBatch: 100, FlushEvery: time.Hour})
	for i := 0; i < 250; i++ {
		s.Access(context.Background(), gateway.AccessRecord{Method: "GET", Path: "/api/health", Status: 200, RequestID: "r"})
	}
	closeSink(t, s)
	if n := len(rec.records()); n != 250 {
		t.Fatalf("appended %d records, want 250", n)
	}
	for _, b := range rec.batches {
		if len(b) > 100 {
			t.Errorf("a batch of %d records is over MaxBatch", len(b))
		}
	}
	if s.Dropped() != 0 {
		t.Errorf("dropped %d", s.Dropped())
	}
	// After Close, records are counted as dropped, never block.
	s.Access(context.Background(), gateway.AccessRecord{})
	if s.Dropped() != 1 {
		t.Errorf("a record after Close: dropped %d, want 1", s.Dropped())
	}
}

func TestFlushesOnTheTicker(t *testing.T) {
	rec := &recorder{}
	s := New(rec, Options{FlushEvery: 10 * time.Millisecond})
	defer closeSink(t, s)
	s.WAFEvent(context.Background(), gateway.Event{Action: "blocked", RuleIDs: []int{942100}})
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.records()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the queued event was never appended")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A store that cannot keep up costs dropped records, not blocked requests.
func TestFullQueueDropsInsteadOfBlocking(t *testing.T) {
	rec := &recorder{block: make(chan struct{})}
	s := New(rec, Options{QueueSize: 10, MaxBatch: 1, FlushEvery: time.Hour})
	start := time.Now()
	for i := 0; i < 1000; i++ {
		s.Access(context.Background(), gateway.AccessRecord{Status: 200})
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("offering 1000 records to a stuck store took %v", d)
	}
	if s.Dropped() < 1000-10-2 {
		t.Errorf("dropped %d of 1000 with a queue of 10", s.Dropped())
	}
	close(rec.block)
	closeSink(t, s)
	if got := int64(len(rec.records())) + s.Dropped(); got != 1000 {
		t.Errorf("appended + dropped = %d, want 1000", got)
	}
}

func TestRecordFields(t *testing.T) {
	get := func(r logs.Record, name string) string { return r.Get(name) }
	a := accessRecord(gateway.AccessRecord{Method: "POST", Path: "/api/payments", Status: 502, RequestID: "abc", DurationMS: 1.5, Reason: "upstream_error", WAF: "pass"})
	for k, want := range map[string]string{"_msg": "POST /api/payments 502", "level": "error", "kind": "access", "request_id": "abc", "status": "502", "duration_ms": "1.500", "reason": "upstream_error"} {
		if got := get(a, k); got != want {
			t.Errorf("access %s = %q, want %q", k, got, want)
		}
	}
	w := wafRecord(gateway.Event{Action: "blocked", Method: "GET", Path: "/api/search", RequestID: "abc", RuleIDs: []int{942100, 949110},
		Rules: []gateway.RuleMatch{{ID: 942100, Message: "SQL Injection Attack Detected via libinjection"}}, BlockedByRule: 949110})
	for k, want := range map[string]string{"kind": "waf", "action": "blocked", "rule_ids": "942100,949110", "blocked_by_rule": "949110",
		"rules": "942100: SQL Injection Attack Detected via libinjection", "_msg": "waf blocked GET /api/search (rules 942100,949110)"} {
		if got := get(w, k); got != want {
			t.Errorf("waf %s = %q, want %q", k, got, want)
		}
	}
}
