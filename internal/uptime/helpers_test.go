package uptime_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/uptime"
	"github.com/wardenhq/warden/internal/uptime/condition"
)

// recorder is an alert.Raiser that keeps what it was told. The real router
// and a real webhook receiver are exercised in internal/app's end-to-end
// test; here only the calls matter.
type recorder struct {
	mu       sync.Mutex
	raised   []alert.Alert
	resolved []alert.Labels
	failNext int // fail this many calls first
}

func (r *recorder) Raise(_ context.Context, a alert.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failNext > 0 {
		r.failNext--
		return errRouterDown
	}
	r.raised = append(r.raised, a)
	return nil
}

func (r *recorder) Resolve(_ context.Context, l alert.Labels, _ time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failNext > 0 {
		r.failNext--
		return errRouterDown
	}
	r.resolved = append(r.resolved, l)
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

const errRouterDown = errString("router unavailable")

func mustCheck(t testing.TB, c uptime.Check, conds ...string) *uptime.Check {
	t.Helper()
	for _, s := range conds {
		e, err := condition.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		c.Conditions = append(c.Conditions, e)
	}
	if c.Interval == 0 {
		c.Interval = 10 * time.Second
	}
	if c.Timeout == 0 {
		c.Timeout = 2 * time.Second
	}
	if c.FailureThreshold == 0 {
		c.FailureThreshold = 2
	}
	if c.SuccessThreshold == 0 {
		c.SuccessThreshold = 1
	}
	if c.Method == "" {
		c.Method = "GET"
	}
	if c.Severity == "" {
		c.Severity = "critical"
	}
	return &c
}
