package gateway

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
)

type recordingRaiser struct {
	mu       sync.Mutex
	raised   []alert.Alert
	resolved []alert.Labels
}

func (r *recordingRaiser) Raise(_ context.Context, a alert.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.raised = append(r.raised, a)
	return nil
}

func (r *recordingRaiser) Resolve(_ context.Context, l alert.Labels, _ time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resolved = append(r.resolved, l)
	return nil
}

func (r *recordingRaiser) counts() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.raised), len(r.resolved)
}

func TestSpikeAlertRaisesOnceAndResolves(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC))
	r := &recordingRaiser{}
	s := newSpikeDetector(3, r, clk, "production", nil)
	for i := 0; i < 3; i++ {
		s.blocked(clk.Now())
	}
	s.stopAfterDrain(t, func() {}) // nothing yet
	if n, _ := r.counts(); n != 0 {
		t.Fatalf("raised at the threshold: %d", n)
	}
	for i := 0; i < 5; i++ { // over the threshold: one alert, not five
		s.blocked(clk.Now())
	}
	clk.Advance(time.Minute)
	s.blocked(clk.Now()) // a quiet next minute...
	clk.Advance(time.Minute)
	s.tick(clk.Now()) // ...resolves at its end
	s.stop()
	raised, resolved := r.counts()
	if raised != 1 || resolved != 1 {
		t.Fatalf("raised %d, resolved %d; want 1 and 1", raised, resolved)
	}
	a := r.raised[0]
	if a.Labels[alert.LabelAlertName] != "WAFBlockSpike" || a.Labels[alert.LabelEnvironment] != "production" || a.Annotations["value"] != "4" {
		t.Errorf("alert %+v", a)
	}
}

// stopAfterDrain waits until queued raiser calls have run.
func (s *spikeDetector) stopAfterDrain(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	s.mu.Lock()
	s.submit(func(context.Context) error { f(); close(done); return nil })
	s.mu.Unlock()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("raiser queue stuck")
	}
}

func TestSpikeAlertOffAtZero(t *testing.T) {
	r := &recordingRaiser{}
	s := newSpikeDetector(0, r, clock.NewFake(time.Unix(0, 0)), "", nil)
	for i := 0; i < 100; i++ {
		s.blocked(time.Unix(0, 0))
	}
	s.stop()
	if n, _ := r.counts(); n != 0 {
		t.Errorf("threshold 0 raised %d alerts", n)
	}
}

// Blocked requests through the real gateway raise the alert.
func TestGatewayRaisesSpikeAlert(t *testing.T) {
	up := newUpstream(t)
	r := &recordingRaiser{}
	cfg := gatewayConfig(up.URL, "block")
	cfg.BlockAlert = 2
	srv, _ := startGateway(t, Options{Config: cfg, WAF: sharedWAF(t, "block"), Alerts: r, Environment: "test"})
	for i := 0; i < 3; i++ {
		do(t, attackRequest(t, srv.URL, attacks[0]))
	}
	waitFor(t, func() bool { n, _ := r.counts(); return n == 1 })
}
