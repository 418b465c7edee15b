package schedule

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

var sets = []store.MigrationSet{Migrations}

// t0 is a minute before the first Every(time.Minute) slot, 00:01, so that
// advancing by whole minutes lands on slots and a run reads the slot's time.
var t0 = utc(2026, 1, 1, 0, 0, 0)

func minute(n int) time.Time { return utc(2026, 1, 1, 0, n, 0) }

// newTest returns a Scheduler on db driven by clk that Stop()s at cleanup.
func newTest(t *testing.T, db *store.DB, clk clock.Clock, owner string, logs io.Writer) *Scheduler {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	s := New(db, Options{Clock: clk, Owner: owner, Registerer: prometheus.NewRegistry(),
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return s
}

// recorder is a job body that counts runs per slot.
type recorder struct {
	mu     sync.Mutex
	slots  map[time.Time]int
	manual int
}

func newRecorder() *recorder { return &recorder{slots: map[time.Time]int{}} }

func (r *recorder) run(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if slot, ok := Slot(ctx); ok {
		r.slots[slot]++
	} else {
		r.manual++
	}
	return nil
}

func (r *recorder) ran() map[time.Time]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[time.Time]int{}
	for k, v := range r.slots {
		out[k] = v
	}
	return out
}

func wantSlots(t *testing.T, got map[time.Time]int, want ...time.Time) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("ran slots %v, want %v", got, want)
	}
	for _, w := range want {
		if got[w] != 1 {
			t.Fatalf("slot %v ran %d times (all: %v), want once", w, got[w], got)
		}
	}
}

func statusOf(t *testing.T, s *Scheduler, name string) JobStatus {
	t.Helper()
	all, err := s.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range all {
		if st.Name == name {
			return st
		}
	}
	t.Fatalf("no status for %s in %+v", name, all)
	return JobStatus{}
}

func TestEachSlotRunsOnceAcrossInstances(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(t0)
		a := newTest(t, db, clk, "a", nil)
		b := newTest(t, db, clk, "b", nil)
		rec := newRecorder()
		for _, s := range []*Scheduler{a, b} {
			if err := s.Add(Job{Name: "tick", Schedule: Every(time.Minute), Run: rec.run}); err != nil {
				t.Fatal(err)
			}
			if err := s.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		for range 5 {
			clk.Advance(time.Minute)
			a.wait()
			b.wait()
		}
		wantSlots(t, rec.ran(), minute(1), minute(2), minute(3), minute(4), minute(5))

		st := statusOf(t, b, "tick")
		if st.Runs != 5 || !st.LastSlot.Equal(minute(5)) || !st.Next.Equal(minute(6)) ||
			st.LastError != "" || st.Schedule != "every 1m0s" || st.Owner == "" || st.Running ||
			!st.LastStarted.Equal(minute(5)) || !st.LastFinished.Equal(minute(5)) {
			t.Fatalf("status = %+v", st)
		}
		total := value(t, a.metrics.runs.WithLabelValues("tick", resultSuccess)) +
			value(t, b.metrics.runs.WithLabelValues("tick", resultSuccess))
		if total != 5 {
			t.Fatalf("runs_total across instances = %v, want 5", total)
		}
		if got := value(t, a.metrics.lastSuccess.WithLabelValues("tick")); got != float64(minute(5).Unix()) {
			t.Fatalf("last success = %v, want %v", got, minute(5).Unix())
		}
		var h dto.Metric
		if err := a.metrics.duration.WithLabelValues("tick").(prometheus.Metric).Write(&h); err != nil {
			t.Fatal(err)
		}
		var hb dto.Metric
		if err := b.metrics.duration.WithLabelValues("tick").(prometheus.Metric).Write(&hb); err != nil {
			t.Fatal(err)
		}
		if n := h.GetHistogram().GetSampleCount() + hb.GetHistogram().GetSampleCount(); n != 5 {
			t.Fatalf("duration samples = %d, want 5", n)
		}
	})
}

func TestOverrunSkipsSlots(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(t0)
		s := newTest(t, db, clk, "a", nil)
		rec := newRecorder()
		started, release := make(chan struct{}), make(chan struct{})
		first := true
		err := s.Add(Job{Name: "slow", Schedule: Every(time.Minute), Run: func(ctx context.Context) error {
			if first {
				first = false
				close(started)
				<-release
			}
			return rec.run(ctx)
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute) // 00:01 starts and blocks
		<-started
		clk.Advance(time.Minute) // 00:02 skipped
		clk.Advance(time.Minute) // 00:03 skipped
		if st := statusOf(t, s, "slow"); !st.Running || !st.Next.Equal(minute(4)) {
			t.Fatalf("while overrunning: %+v", st)
		}
		close(release)
		s.wait()
		clk.Advance(time.Minute) // 00:04 runs
		s.wait()
		wantSlots(t, rec.ran(), minute(1), minute(4))
		if got := value(t, s.metrics.skipped.WithLabelValues("slow")); got != 2 {
			t.Fatalf("skipped = %v, want 2", got)
		}
	})
}

func TestFailuresAndPanicsAreRecorded(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(t0)
		var logs syncBuffer
		s := newTest(t, db, clk, "a", &logs)
		fail := true
		jobs := []Job{
			{Name: "fails", Schedule: Every(time.Minute), Run: func(context.Context) error {
				if fail {
					return errors.New("boom")
				}
				return nil
			}},
			{Name: "panics", Schedule: Every(time.Minute), Run: func(context.Context) error { panic("kaboom") }},
		}
		for _, j := range jobs {
			if err := s.Add(j); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		s.wait()
		if st := statusOf(t, s, "fails"); st.LastError != "boom" || st.Runs != 1 {
			t.Fatalf("fails: %+v", st)
		}
		if st := statusOf(t, s, "panics"); st.LastError != "panic: kaboom" || st.Runs != 1 {
			t.Fatalf("panics: %+v", st)
		}
		for _, name := range []string{"fails", "panics"} {
			if got := value(t, s.metrics.runs.WithLabelValues(name, resultError)); got != 1 {
				t.Fatalf("%s: runs_total{result=error} = %v", name, got)
			}
		}
		out := logs.String()
		for _, want := range []string{`level=ERROR msg="schedule: job ran" job=panics duration_ms=0 slot=2026-01-01T00:01:00.000Z`,
			`error="panic: kaboom"`, "stack=", `job=fails`, `error=boom`} {
			if !strings.Contains(out, want) {
				t.Fatalf("log lacks %q:\n%s", want, out)
			}
		}

		// A success clears the error, to NULL rather than to "".
		fail = false
		clk.Advance(time.Minute)
		s.wait()
		var lastErr *string
		if err := db.QueryRowContext(context.Background(), "SELECT last_error FROM schedule_jobs WHERE name = ?", "fails").Scan(&lastErr); err != nil {
			t.Fatal(err)
		}
		if lastErr != nil {
			t.Fatalf("last_error = %q after a success, want NULL", *lastErr)
		}
	})
}

func TestCatchUpRunsLatestMissedSlotOnce(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(t0)
		rec, fresh := newRecorder(), newRecorder()
		a := newTest(t, db, clk, "a", nil)
		if err := a.Add(Job{Name: "tick", Schedule: Every(time.Minute), Run: rec.run}); err != nil {
			t.Fatal(err)
		}
		if err := a.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		a.wait()
		if err := a.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}

		clk.Set(utc(2026, 1, 1, 0, 10, 30)) // down for 00:02 to 00:10
		b := newTest(t, db, clk, "b", nil)
		if err := b.Add(Job{Name: "tick", Schedule: Every(time.Minute), Run: rec.run}); err != nil {
			t.Fatal(err)
		}
		if err := b.Add(Job{Name: "fresh", Schedule: Every(time.Minute), Run: fresh.run}); err != nil {
			t.Fatal(err)
		}
		if err := b.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		b.wait()
		wantSlots(t, rec.ran(), minute(1), minute(10))
		wantSlots(t, fresh.ran()) // no history, so nothing to catch up
		clk.Advance(30 * time.Second)
		b.wait()
		wantSlots(t, rec.ran(), minute(1), minute(10), minute(11))
		wantSlots(t, fresh.ran(), minute(11))
	})
}

// value reads a counter or gauge.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

// syncBuffer is a bytes.Buffer safe for the scheduler's goroutines to log to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
