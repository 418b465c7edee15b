package schedule

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

// secondHandle opens another pool on db's PostgreSQL database, as a second
// Warden instance would.
func secondHandle(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	ctx := context.Background()
	var name string
	if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	other, err := store.Open(ctx, store.Options{URL: storetest.WithDatabase(t, storetest.PostgresURL(t), name)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// TestTwoInstancesRunEachSlotOnce is the multi-instance promise: two
// schedulers with their own connection pools, the same jobs and the real
// clock; every slot that elapses runs exactly once, on one of them.
func TestTwoInstancesRunEachSlotOnce(t *testing.T) {
	dbA := storetest.Postgres(t, sets...)
	dbB := secondHandle(t, dbA)
	// Slots 500 ms apart leave room for timers that fire late on a loaded
	// 2-core machine running the whole suite under -race.
	const interval, work, length = 500 * time.Millisecond, 50 * time.Millisecond, 4 * time.Second
	jobs := []string{"check-1", "check-2", "check-3"}

	var mu sync.Mutex
	ran := map[string]map[time.Time][]string{} // job -> slot -> owners
	active := map[string]int{}
	overlapped := false
	body := func(owner, job string) func(context.Context) error {
		return func(ctx context.Context) error {
			slot, _ := Slot(ctx)
			mu.Lock()
			ran[job][slot] = append(ran[job][slot], owner)
			active[job]++
			overlapped = overlapped || active[job] > 1
			mu.Unlock()
			time.Sleep(work) // the job's work, not a wait for a timer
			mu.Lock()
			active[job]--
			mu.Unlock()
			return nil
		}
	}
	var logs syncBuffer
	a := newTest(t, dbA, clock.Real{}, "a", &logs)
	b := newTest(t, dbB, clock.Real{}, "b", &logs)
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	}()
	for _, job := range jobs {
		ran[job] = map[time.Time][]string{}
		for _, s := range []*Scheduler{a, b} {
			if err := s.Add(Job{Name: job, Schedule: Every(interval), Run: body(s.owner, job)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	start := time.Now()
	for _, s := range []*Scheduler{a, b} {
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(length) // the test's bounded run on the real clock
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := errors.Join(a.Stop(ctx), b.Stop(ctx)); err != nil {
		t.Fatal(err)
	}
	end := time.Now()

	elapsed := 0
	for s := Every(interval).Next(start); !s.After(end); s = Every(interval).Next(s) {
		elapsed++
	}
	mu.Lock()
	defer mu.Unlock()
	byOwner, totalSkipped := map[string]int{}, 0
	for _, job := range jobs {
		for slot, owners := range ran[job] {
			if len(owners) != 1 {
				t.Errorf("%s slot %v ran %d times, on %v", job, slot.Format("15:04:05.000"), len(owners), owners)
			}
			if slot.UnixMilli()%interval.Milliseconds() != 0 || slot.Before(start) || slot.After(end) {
				t.Errorf("%s ran for slot %v, not a slot between start and stop", job, slot)
			}
			for _, o := range owners {
				byOwner[o]++
			}
		}
		// Every slot that elapsed either ran or was skipped because the
		// previous run was still going (a loaded test machine can stretch a
		// 50 ms run past the next slot); none was lost or doubled. A slot
		// falling due as Stop disarms may go unrun, hence the -1.
		n := len(ran[job])
		skipped := int(value(t, a.metrics.skipped.WithLabelValues(job)) + value(t, b.metrics.skipped.WithLabelValues(job)))
		if n+skipped < elapsed-1 || n+skipped > elapsed || n < elapsed/2 {
			t.Errorf("%s ran %d slots and skipped %d, want %d in all (±1), mostly run", job, n, skipped, elapsed)
		}
		totalSkipped += skipped
	}
	if overlapped {
		t.Error("a job ran twice at once")
	}
	if byOwner["a"] == 0 || byOwner["b"] == 0 {
		t.Errorf("runs by instance = %v, want both to take part", byOwner)
	}
	t.Logf("%d slots per job in %v; runs by instance %v; %d skipped by overruns", elapsed, end.Sub(start).Round(time.Millisecond), byOwner, totalSkipped)
}

// TestAdvisoryLockSpansInstances holds a job running on instance A and
// checks that instance B neither runs it now nor at its next slot.
func TestAdvisoryLockSpansInstances(t *testing.T) {
	dbA := storetest.Postgres(t, sets...)
	dbB := secondHandle(t, dbA)
	a := newTest(t, dbA, clock.Real{}, "a", nil)
	clkB := clock.NewFake(t0) // B's slots are stepped by hand
	b := newTest(t, dbB, clkB, "b", nil)

	started, release := make(chan struct{}), make(chan struct{})
	err := a.Add(Job{Name: "backup", Schedule: Every(time.Minute), Run: func(context.Context) error {
		close(started)
		<-release
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	bRuns := 0
	err = b.Add(Job{Name: "backup", Schedule: Every(time.Minute), Run: func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		bRuns++
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}

	first := make(chan error)
	go func() { first <- a.RunNow(context.Background(), "backup") }()
	<-started
	if err := b.RunNow(context.Background(), "backup"); !errors.Is(err, ErrBusy) {
		t.Fatalf("B's RunNow while A runs = %v, want ErrBusy", err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	clkB.Advance(time.Minute) // B wins the 00:01 slot but must not run it
	b.wait()
	if got := value(t, b.metrics.skipped.WithLabelValues("backup")); got != 1 {
		t.Fatalf("B skipped %v slots, want 1", got)
	}
	mu.Lock()
	if bRuns != 0 {
		t.Fatalf("B ran the job %d times while A held it", bRuns)
	}
	mu.Unlock()

	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := b.RunNow(context.Background(), "backup"); err != nil {
		t.Fatalf("B's RunNow after A finished: %v", err)
	}
	clkB.Advance(time.Minute) // and the next slot runs on B again
	b.wait()
	mu.Lock()
	defer mu.Unlock()
	if bRuns != 2 {
		t.Fatalf("B ran %d times after A finished, want 2", bRuns)
	}
}

func TestLockKeyIsStable(t *testing.T) {
	// Instances of different builds must agree on the key, so it is pinned
	// (FNV-1a 64 of "schedule:backup:app").
	if got, want := lockKey("backup:app"), int64(-4349962526500136087); got != want {
		t.Fatalf("lockKey = %d, want %d", got, want)
	}
	if lockKey("a") == lockKey("b") {
		t.Fatal("distinct names share a key")
	}
}
