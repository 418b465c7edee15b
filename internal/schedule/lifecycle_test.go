package schedule

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

func TestTimeoutCancelsTheRun(t *testing.T) {
	db := storetest.SQLite(t, sets...)
	clk := clock.NewFake(t0)
	s := newTest(t, db, clk, "a", nil)
	// Contexts time out on the real clock, so keep this short.
	err := s.Add(Job{Name: "stuck", Schedule: Every(time.Minute), Timeout: 10 * time.Millisecond,
		Run: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunNow(context.Background(), "stuck"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RunNow = %v, want deadline exceeded", err)
	}
	if st := statusOf(t, s, "stuck"); st.LastError != context.DeadlineExceeded.Error() {
		t.Fatalf("status: %+v", st)
	}
}

func TestStopWaitsForRunningJob(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(t0)
		s := newTest(t, db, clk, "a", nil)
		started, release, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
		err := s.Add(Job{Name: "busy", Schedule: Every(time.Minute), Run: func(ctx context.Context) error {
			close(started)
			<-release
			if ctx.Err() != nil {
				t.Error("the run was cancelled though Stop had time to wait")
			}
			close(finished)
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		<-started

		stopped := make(chan error)
		go func() { stopped <- s.Stop(context.Background()) }()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned %v while the job was running", err)
		case <-time.After(50 * time.Millisecond): // proves a negative; nothing to wait for
		}
		close(release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		select {
		case <-finished:
		default:
			t.Fatal("Stop returned before the job finished")
		}
		if clk.Pending() != 0 {
			t.Fatalf("%d timers still armed after Stop", clk.Pending())
		}
		if err := s.RunNow(context.Background(), "busy"); !errors.Is(err, ErrStopped) {
			t.Fatalf("RunNow after Stop = %v, want ErrStopped", err)
		}
	})
}

func TestStopGivesUpAndCancels(t *testing.T) {
	db := storetest.SQLite(t, sets...)
	clk := clock.NewFake(t0)
	s := newTest(t, db, clk, "a", nil)
	started, cancelled := make(chan struct{}), make(chan struct{})
	err := s.Add(Job{Name: "stubborn", Schedule: Every(time.Minute), Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		close(cancelled)
		return ctx.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = s.Stop(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stubborn") {
		t.Fatalf("Stop = %v, want it to name the stubborn job", err)
	}
	<-cancelled
}

func TestRunNow(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		clk := clock.NewFake(t0)
		s := newTest(t, db, clk, "a", nil)
		rec := newRecorder()
		started, release := make(chan struct{}), make(chan struct{})
		calls := 0
		err := s.Add(Job{Name: "manual", Schedule: Every(time.Hour), Run: func(ctx context.Context) error {
			calls++
			if calls == 1 {
				close(started)
				<-release
			}
			return rec.run(ctx)
		}})
		if err != nil {
			t.Fatal(err)
		}
		// RunNow works before Start, for the CLI.
		first := make(chan error)
		go func() { first <- s.RunNow(context.Background(), "manual") }()
		<-started
		if err := s.RunNow(context.Background(), "manual"); !errors.Is(err, ErrBusy) {
			t.Fatalf("concurrent RunNow = %v, want ErrBusy", err)
		}
		close(release)
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if err := s.RunNow(context.Background(), "manual"); err != nil {
			t.Fatal(err)
		}
		if err := s.RunNow(context.Background(), "nope"); !errors.Is(err, ErrUnknownJob) {
			t.Fatalf("RunNow(nope) = %v, want ErrUnknownJob", err)
		}
		wantSlots(t, rec.ran()) // manual runs use no slot
		st := statusOf(t, s, "manual")
		if rec.manual != 2 || st.Runs != 2 || !st.LastSlot.IsZero() || st.Owner != "a" || !st.Next.Equal(utc(2026, 1, 1, 1, 0, 0)) {
			t.Fatalf("manual = %d, status %+v", rec.manual, st)
		}
	})
}

func TestAddAndStartValidate(t *testing.T) {
	db := storetest.SQLite(t, sets...)
	s := newTest(t, db, clock.NewFake(t0), "a", nil)
	run := func(context.Context) error { return nil }
	bad := map[string]Job{
		"the name is empty":  {Schedule: Every(time.Minute), Run: run},
		"no schedule":        {Name: "x", Run: run},
		"no Run function":    {Name: "x", Schedule: Every(time.Minute)},
		"negative timeout":   {Name: "x", Schedule: Every(time.Minute), Run: run, Timeout: -1},
		"already registered": {Name: "dup", Schedule: Every(time.Minute), Run: run},
	}
	if err := s.Add(Job{Name: "dup", Schedule: Every(time.Minute), Run: run}); err != nil {
		t.Fatal(err)
	}
	for want, job := range bad {
		if err := s.Add(job); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Add(%+v) = %v, want %q", job, err, want)
		}
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Error("second Start succeeded")
	}
	// A job added after Start is armed at once.
	if err := s.Add(Job{Name: "late", Schedule: Every(time.Minute), Run: run}); err != nil {
		t.Fatal(err)
	}
	if st := statusOf(t, s, "late"); !st.Next.Equal(minute(1)) {
		t.Errorf("late job next = %v", st.Next)
	}
}

func TestStartWithoutMigrationsSaysSo(t *testing.T) {
	db := storetest.SQLite(t)
	s := New(db, Options{Clock: clock.NewFake(t0), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := s.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "schedule.Migrations") {
		t.Fatalf("Start = %v, want a hint about migrations", err)
	}
}
