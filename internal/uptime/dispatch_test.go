package uptime_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/store/storetest"
	"github.com/wardenhq/warden/internal/uptime"
	"github.com/wardenhq/warden/internal/uptime/uptimesql"
)

// TestDispatchRunsEachSlotOnce: one dispatch tick starts every slot of
// every check inside it at its time, no more; Stop cancels the rest.
func TestDispatchRunsEachSlotOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	db := storetest.SQLite(t, sets...)
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	fast := mustCheck(t, uptime.Check{Name: "fast", Kind: "tcp", URL: "tcp://" + l.Addr().String(), Interval: time.Second}, "connected")
	slow := mustCheck(t, uptime.Check{Name: "slow", Kind: "tcp", URL: "tcp://" + l.Addr().String(), Interval: time.Minute}, "connected")
	m := uptime.New(uptime.Options{Checks: []*uptime.Check{fast, slow}, Store: uptimesql.New(db), Clock: clk})
	m.Dispatch(start, start.Add(uptime.DispatchTick))
	clk.Advance(uptime.DispatchTick)
	m.Dispatch(start.Add(uptime.DispatchTick), start.Add(2*uptime.DispatchTick)) // armed, never reached
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	rs, err := m.Store().Results(context.Background(), "fast", start.Add(-time.Hour), start.Add(time.Hour), 100)
	if err != nil || len(rs) != 5 {
		t.Fatalf("fast: %v %d results, want 5 (one a second for 5 s)", err, len(rs))
	}
	for _, r := range rs {
		if !r.OK || r.At.Sub(start) >= uptime.DispatchTick || r.At.Before(start) {
			t.Errorf("result %+v outside the tick", r)
		}
	}
	slowRs, _ := m.Store().Results(context.Background(), "slow", start.Add(-time.Hour), start.Add(time.Hour), 100)
	if want := slotsIn(slow, start, start.Add(uptime.DispatchTick)); len(slowRs) != want {
		t.Errorf("slow: %d results, want %d", len(slowRs), want)
	}
}

// slotsIn counts c's slots in [from, to) for a from aligned to c.Interval
// and a window shorter than it.
func slotsIn(c *uptime.Check, from, to time.Time) int {
	if from.Add(c.Offset()).Before(to) {
		return 1
	}
	return 0
}

// batchCounter passes everything to the real store and counts the
// transactions the monitor asks for.
type batchCounter struct {
	uptime.Store
	mu             sync.Mutex
	batches, items int
}

func (b *batchCounter) RecordBatch(ctx context.Context, items []*uptime.BatchItem) error {
	b.mu.Lock()
	b.batches++
	b.items += len(items)
	b.mu.Unlock()
	return b.Store.RecordBatch(ctx, items)
}

// goClock is the fake clock with timers firing in their own goroutines, as
// the real clock's do, so that the probes of one tick run at once.
type goClock struct{ *clock.Fake }

func (c goClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	return c.Fake.AfterFunc(d, func() { go f() })
}

// TestDispatchedProbesShareCommits: probes that finish together are
// committed together (group commit), every one of them is stored with its
// state, and an incident opened inside a batch reaches the router.
func TestDispatchedProbesShareCommits(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens: every probe fails
	db := storetest.SQLite(t, sets...)
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	var checks []*uptime.Check
	for i := range 20 {
		checks = append(checks, mustCheck(t, uptime.Check{Name: fmt.Sprintf("c%02d", i), Kind: "tcp", URL: "tcp://" + addr, Interval: time.Second}, "connected"))
	}
	st := &batchCounter{Store: uptimesql.New(db)}
	rec := &recorder{}
	m := uptime.New(uptime.Options{Checks: checks, Store: st, Alerts: rec, Clock: goClock{clk}})
	m.Dispatch(start, start.Add(uptime.DispatchTick))
	began := time.Now()
	clk.Advance(uptime.DispatchTick)
	// Let the probes finish and their batches commit before stopping (Stop
	// would flush at once, without waiting for company).
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		st.mu.Lock()
		n := st.items
		st.mu.Unlock()
		if n == 100 {
			break
		}
	}
	t.Logf("stored in %s", time.Since(began))
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.items != 100 || st.batches >= 100 {
		t.Errorf("%d probes in %d transactions, want 100 probes in fewer", st.items, st.batches)
	}
	t.Logf("%d probes in %d transactions", st.items, st.batches)
	for _, c := range checks {
		s, err := m.Store().State(context.Background(), c.Name)
		if err != nil || !s.Down || s.ConsecutiveFailures != 5 || s.IncidentID == 0 || s.Alerted != "firing" {
			t.Errorf("%s: state %+v (%v), want down after 5 failures, alerted", c.Name, s, err)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.raised) != 20 {
		t.Errorf("%d alerts raised, want one per check", len(rec.raised))
	}
}

// TestOneBadCheckDoesNotLoseTheBatch: when a batch cannot commit because
// of one check (here its stored state is unreadable), the other probes of
// the batch are stored on their own, and only the bad one reports an error.
func TestOneBadCheckDoesNotLoseTheBatch(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	db := storetest.SQLite(t, sets...)
	if _, err := db.ExecContext(context.Background(), `INSERT INTO uptime_state (check_name, data) VALUES ('bad', '{not json')`); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	var checks []*uptime.Check
	for _, name := range []string{"a", "bad", "b", "c"} {
		checks = append(checks, mustCheck(t, uptime.Check{Name: name, Kind: "tcp", URL: "tcp://" + addr, Interval: 5 * time.Second}, "connected"))
	}
	st := &batchCounter{Store: uptimesql.New(db)}
	m := uptime.New(uptime.Options{Checks: checks, Store: st, Clock: goClock{clk}})
	m.Dispatch(start, start.Add(uptime.DispatchTick))
	clk.Advance(uptime.DispatchTick)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		st.mu.Lock()
		n := st.items
		st.mu.Unlock()
		if n >= 4 {
			break
		}
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d probes in %d transactions", st.items, st.batches)
	for _, name := range []string{"a", "b", "c"} {
		rs, err := m.Store().Results(context.Background(), name, start.Add(-time.Hour), start.Add(time.Hour), 10)
		if err != nil || len(rs) != 1 {
			t.Errorf("%s: %d results (%v), want its one probe stored", name, len(rs), err)
		}
	}
	if rs, _ := m.Store().Results(context.Background(), "bad", start.Add(-time.Hour), start.Add(time.Hour), 10); len(rs) != 0 {
		t.Errorf("bad: %d results stored despite its unreadable state", len(rs))
	}
}
