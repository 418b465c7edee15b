package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// run executes one run of e with the job's lock already held, then records
// the outcome in the table, the metrics and the log. slot is zero for a
// manual run. It returns the job's error.
func (s *Scheduler) run(ctx context.Context, e *entry, slot time.Time) error {
	name := e.job.Name
	s.setRunning(e, +1)
	defer s.setRunning(e, -1)

	// Bookkeeping must outlive a cancelled run, or a timed-out job would
	// look as if it were still running.
	bookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	started := s.clock.Now()
	if err := s.markStarted(bookCtx, e, started); err != nil {
		s.log.Error("schedule: record run start", "job", name, "error", err)
	}

	if e.job.Timeout > 0 {
		var cancelRun context.CancelFunc
		ctx, cancelRun = context.WithTimeout(ctx, e.job.Timeout)
		defer cancelRun()
	}
	// The duration is the job's own, without the bookkeeping around it.
	begin := s.clock.Now()
	stack, runErr := call(ctx, e.job.Run)
	finished := s.clock.Now()
	took := finished.Sub(begin)
	if err := s.markFinished(bookCtx, name, finished, took, runErr); err != nil {
		s.log.Error("schedule: record run outcome", "job", name, "error", err)
	}
	s.observe(name, finished, took, runErr)

	attrs := []any{"job", name, "duration_ms", took.Milliseconds()}
	if slot.IsZero() {
		attrs = append(attrs, "trigger", "manual")
	} else {
		attrs = append(attrs, "slot", slot, "trigger", "schedule")
	}
	level := slog.LevelInfo
	if runErr != nil {
		attrs = append(attrs, "error", runErr)
		// A manual run's caller gets the error back, so it is not an error here.
		if !slot.IsZero() {
			level = slog.LevelError
		}
	}
	if stack != nil {
		attrs = append(attrs, "stack", string(stack))
	}
	s.log.Log(ctx, level, "schedule: job ran", attrs...)
	return runErr
}

// call runs f, turning a panic into an error so that one broken job neither
// kills the process nor keeps its lock.
func call(ctx context.Context, f func(context.Context) error) (stack []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			stack = debug.Stack()
		}
	}()
	return nil, f(ctx)
}

func (s *Scheduler) observe(name string, finished time.Time, took time.Duration, err error) {
	s.metrics.duration.WithLabelValues(name).Observe(took.Seconds())
	if err != nil {
		s.metrics.runs.WithLabelValues(name, resultError).Inc()
		return
	}
	s.metrics.runs.WithLabelValues(name, resultSuccess).Inc()
	s.metrics.lastSuccess.WithLabelValues(name).Set(float64(finished.UnixNano()) / 1e9)
}

func (s *Scheduler) setRunning(e *entry, delta int) {
	s.mu.Lock()
	e.running += delta
	s.mu.Unlock()
}
