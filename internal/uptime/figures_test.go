package uptime_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
	"github.com/wardenhq/warden/internal/uptime"
	"github.com/wardenhq/warden/internal/uptime/uptimesql"
)

// TestFiguresMatchHandComputation feeds a recorded history and checks the
// uptime %, latency percentiles, MTTD and MTTR against figures worked out
// by hand in the comments, maintenance window included.
func TestFiguresMatchHandComputation(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		day := func(d, h, m, s int) time.Time { return time.Date(2026, 11, d, h, m, s, 0, time.UTC) }
		clk := clock.NewFake(now)
		api := mustCheck(t, uptime.Check{Name: "api", Kind: "http", URL: "http://127.0.0.1:1/",
			Maintenance: []uptime.Window{{StartsAt: day(29, 10, 0, 0), EndsAt: day(29, 11, 0, 0), Comment: "upgrade"}}})
		web := mustCheck(t, uptime.Check{Name: "web", Kind: "http", URL: "http://127.0.0.1:1/"})
		m := uptime.New(uptime.Options{Checks: []*uptime.Check{api, web}, Store: uptimesql.New(db), Alerts: &recorder{}, Clock: clk})
		ctx := context.Background()
		feed := func(c *uptime.Check, at time.Time, ok bool, lat time.Duration) {
			t.Helper()
			r := uptime.Result{Check: c.Name, At: at, OK: ok, Latency: lat}
			if !ok {
				r.Error = "down"
			}
			if _, in := c.InMaintenance(at); in {
				r.Maintenance = true
			}
			if err := m.Apply(ctx, c, r); err != nil {
				t.Fatal(err)
			}
		}
		// Nov 27: 10 passes, then incident 1: fails at 13:00 and 13:01
		// (detected 13:01, TTD 60 s), passes at 13:05 (TTR 240 s).
		for i := range 10 {
			feed(api, day(27, 12, i, 0), true, 100*time.Millisecond)
		}
		feed(api, day(27, 13, 0, 0), false, 0)
		feed(api, day(27, 13, 1, 0), false, 0)
		feed(api, day(27, 13, 5, 0), true, 100*time.Millisecond)
		// Nov 29: three failures inside the maintenance window: no
		// incident, and they count neither up nor down.
		for i := range 3 {
			feed(api, day(29, 10, 10*i, 0), false, 0)
		}
		// Nov 30 (inside 24 h): 8 passes at 100 ms, incident 2: fails at
		// 09:00:00, 09:00:30 (detected, TTD 30 s), 09:01:00; passes at
		// 09:11:00 (TTR 630 s), 09:12 and 09:13, at 300 ms.
		for i := range 8 {
			feed(api, day(30, 8, i, 0), true, 100*time.Millisecond)
		}
		feed(api, day(30, 9, 0, 0), false, 0)
		feed(api, day(30, 9, 0, 30), false, 0)
		feed(api, day(30, 9, 1, 0), false, 0)
		for i := range 3 {
			feed(api, day(30, 9, 11+i, 0), true, 300*time.Millisecond)
		}
		// web: 4 passes today.
		for i := range 4 {
			feed(web, day(30, 10, i, 0), true, 50*time.Millisecond)
		}

		f, err := m.Figures(ctx, "api", now)
		if err != nil {
			t.Fatal(err)
		}
		// 24 h: 11 passed, 3 failed. 7/30/90 d: 10+1+11 = 22 passed,
		// 2+3 = 5 failed; the 3 maintenance probes are left out.
		want := map[string][2]int64{"24h": {11, 3}, "7d": {22, 5}, "30d": {22, 5}, "90d": {22, 5}}
		for _, u := range f.Uptime {
			w := want[u.Window]
			if u.Passed != w[0] || u.Failed != w[1] || u.Percent == nil || !near(*u.Percent, 100*float64(w[0])/float64(w[0]+w[1])) {
				t.Errorf("uptime %s: %+v (percent %v), want %d/%d", u.Window, u, deref(u.Percent), w[0], w[0]+w[1])
			}
		}
		// 24 h latencies: 0,0,0, 100 x8, 300 x3 (14): p50 is the 7th = 100,
		// p95 the 14th = 300.
		if f.P50 != 100 || f.P95 != 300 || f.P99 != 300 {
			t.Errorf("percentiles %v %v %v", f.P50, f.P95, f.P99)
		}
		// MTTD (60+30)/2 = 45 s; MTTR (240+630)/2 = 435 s.
		if f.Incidents != 2 || !near(f.MTTD, 45) || !near(f.MTTR, 435) {
			t.Errorf("incidents %d MTTD %v MTTR %v", f.Incidents, f.MTTD, f.MTTR)
		}
		all, err := m.Overall(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		// Overall 24 h: (11+4)/(14+4) = 83.33 %.
		if u := all.Uptime[0]; u.Passed != 15 || u.Failed != 3 || !near(*u.Percent, 100*15.0/18) || !near(all.MTTD, 45) || !near(all.MTTR, 435) {
			t.Errorf("overall %+v", all)
		}
		days, err := m.Days(ctx, "api", 90, now)
		if err != nil || len(days) != 90 {
			t.Fatalf("days: %v %d", err, len(days))
		}
		nov27, nov29, nov30 := days[86], days[88], days[89]
		if nov27.Passed != 11 || nov27.Failed != 2 || nov29.Maintenance != 3 || nov29.Percent != nil ||
			nov30.Passed != 11 || nov30.Failed != 3 || days[0].Percent != nil || !nov30.Date.Equal(day(30, 0, 0, 0)) {
			t.Errorf("day bars: %+v %+v %+v", nov27, nov29, nov30)
		}
	})
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestPruneKeepsRetention: raw results go after the retention, rollups
// after theirs, and the figures that rest on rollups survive the first.
func TestPruneKeepsRetention(t *testing.T) {
	db := storetest.SQLite(t, sets...)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(now)
	c := mustCheck(t, uptime.Check{Name: "api", Kind: "http", URL: "http://127.0.0.1:1/"})
	m := uptime.New(uptime.Options{Checks: []*uptime.Check{c}, Store: uptimesql.New(db), Clock: clk,
		Retention: 7 * 24 * time.Hour, RollupRetention: 30 * 24 * time.Hour})
	ctx := context.Background()
	for _, age := range []time.Duration{time.Hour, 10 * 24 * time.Hour, 40 * 24 * time.Hour} {
		if err := m.Apply(ctx, c, uptime.Result{Check: "api", At: now.Add(-age), OK: true}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := m.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := m.Store().Results(ctx, "api", now.Add(-90*24*time.Hour), now, 100)
	f, _ := m.Figures(ctx, "api", now)
	// Deleted: 2 results (10 d, 40 d) and the 40-day-old hour and day rollups.
	if n != 4 || len(rs) != 1 || f.Uptime[2].Passed != 2 || f.Uptime[3].Passed != 2 {
		t.Errorf("pruned %d; results left %d; 30d passed %d, 90d passed %d", n, len(rs), f.Uptime[2].Passed, f.Uptime[3].Passed)
	}
}
