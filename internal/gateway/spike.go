package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
)

// spikeDetector raises an alert when the WAF blocks more than threshold
// requests within one calendar minute, and resolves it after a minute at
// or under the threshold.
type spikeDetector struct {
	threshold int
	raiser    alert.Raiser
	clk       clock.Clock
	env       string
	logger    *slog.Logger

	mu     sync.Mutex
	closed bool
	minute time.Time
	count  int
	firing bool
	// calls to the raiser run one at a time, off the request path
	work chan func()
	done chan struct{}
}

func newSpikeDetector(threshold int, r alert.Raiser, clk clock.Clock, env string, logger *slog.Logger) *spikeDetector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &spikeDetector{threshold: threshold, raiser: r, clk: clk, env: env, logger: logger, work: make(chan func(), 16), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for f := range s.work {
			f()
		}
	}()
	if threshold > 0 {
		// A quiet minute resolves the alert even if no request comes.
		go func() {
			t := time.NewTicker(15 * time.Second)
			defer t.Stop()
			for range t.C {
				if !s.tick(s.clk.Now()) {
					return
				}
			}
		}()
	}
	return s
}

func (s *spikeDetector) labels() alert.Labels {
	l := alert.Labels{alert.LabelAlertName: "WAFBlockSpike", alert.LabelSource: "gateway", alert.LabelSeverity: "warning"}
	if s.env != "" {
		l[alert.LabelEnvironment] = s.env
	}
	return l
}

// blocked counts one blocked request at now.
func (s *spikeDetector) blocked(now time.Time) {
	if s.threshold <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roll(now)
	s.count++
	if s.count > s.threshold && !s.firing {
		s.firing = true
		a := alert.Alert{Labels: s.labels(), StartsAt: now, Annotations: alert.Labels{
			"summary":     "The WAF is blocking many requests",
			"description": fmt.Sprintf("More than %d requests were blocked by the gateway's WAF within one minute: an attack, or a false positive after a release.", s.threshold),
			"value":       fmt.Sprint(s.count),
		}}
		s.submit(func(ctx context.Context) error { return s.raiser.Raise(ctx, a) })
	}
}

// roll starts a new minute; a quiet minute resolves a firing alert.
func (s *spikeDetector) roll(now time.Time) {
	m := now.Truncate(time.Minute)
	if m.Equal(s.minute) {
		return
	}
	if s.firing && (s.count <= s.threshold || m.Sub(s.minute) > time.Minute) {
		s.firing = false
		l := s.labels()
		s.submit(func(ctx context.Context) error { return s.raiser.Resolve(ctx, l, now) })
	}
	s.minute, s.count = m, 0
}

// tick lets a quiet period resolve the alert without any blocked request;
// it returns false once the detector has stopped.
func (s *spikeDetector) tick(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.roll(now)
	return true
}

// submit queues a call to the raiser; s.mu is held.
func (s *spikeDetector) submit(f func(context.Context) error) {
	if s.closed {
		return
	}
	select {
	case s.work <- func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := f(ctx); err != nil {
			s.logger.Warn("WAF spike alert", "error", err)
		}
	}:
	default:
		s.logger.Warn("WAF spike alert dropped: the alert router is not keeping up")
	}
}

func (s *spikeDetector) stop() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.work)
	s.mu.Unlock()
	<-s.done
}
