package uptime_test

import (
	"context"
	"net"
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
