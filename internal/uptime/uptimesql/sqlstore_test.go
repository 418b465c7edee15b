package uptimesql_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
	"github.com/wardenhq/warden/internal/uptime"
	"github.com/wardenhq/warden/internal/uptime/uptimesql"
)

var sets = []store.MigrationSet{uptimesql.Migrations}

// applyFor is a small incident rule for the store tests: an incident
// opens at the second failure in a row and resolves at the first pass.
func applyFor(r uptime.Result) func(st *uptime.State) uptime.Record {
	return func(st *uptime.State) uptime.Record {
		rec := uptime.Record{Result: r}
		last := r
		st.Last = &last
		if !r.OK {
			if st.ConsecutiveFailures == 0 {
				st.FirstFailAt = r.At
			}
			st.ConsecutiveFailures++
			if st.ConsecutiveFailures == 2 {
				st.Down = true
				rec.Open = &uptime.Incident{Check: r.Check, FirstFailAt: st.FirstFailAt, DetectedAt: r.At, Cause: r.Error}
			}
			return rec
		}
		st.ConsecutiveFailures = 0
		if st.Down {
			rec.Close = &uptime.Incident{ID: st.IncidentID, RecoveredAt: r.At, ResolvedAt: r.At}
			st.Down, st.IncidentID = false, 0
		}
		return rec
	}
}

// TestRecordBatchMatchesOneByOne: probes recorded in batches (several
// checks, the same check more than once in a batch, an incident opened and
// resolved inside one batch, rollups across an hour) leave exactly what
// recording them one by one leaves.
func TestRecordBatchMatchesOneByOne(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		s := uptimesql.New(db)
		ctx := context.Background()
		start := time.Date(2026, 11, 30, 11, 59, 50, 0, time.UTC)
		pattern := map[string]string{"x": "ppffppfffp", "y": "fpfpffpppp", "z": "mppffmfpfp"}
		var probes []uptime.Result
		for i := range 10 {
			for _, name := range []string{"x", "y", "z"} {
				r := uptime.Result{At: start.Add(time.Duration(i) * 3 * time.Second), Latency: time.Duration(1000+137*i) * time.Microsecond, Status: 200}
				switch pattern[name][i] {
				case 'p':
					r.OK = true
				case 'f':
					r.Status, r.Error = 500, fmt.Sprintf("status %d", i)
				case 'm':
					r.OK, r.Maintenance = true, true
				}
				probes = append(probes, r)
			}
		}
		names := []string{"x", "y", "z"}
		// One by one into "one-*", in batches of 1, 7, 13 and 9 into "batch-*".
		for i, r := range probes {
			r.Check = "one-" + names[i%3]
			if _, _, err := s.Record(ctx, r.Check, applyFor(r)); err != nil {
				t.Fatal(err)
			}
		}
		rest := probes
		for i, n := range []int{1, 7, 13, 9} {
			var items []*uptime.BatchItem
			for j, r := range rest[:n] {
				r.Check = "batch-" + names[(len(probes)-len(rest)+j)%3]
				items = append(items, &uptime.BatchItem{Check: r.Check, Apply: applyFor(r)})
			}
			rest = rest[n:]
			if err := s.RecordBatch(ctx, items); err != nil {
				t.Fatalf("batch %d: %v", i, err)
			}
			for _, it := range items {
				if it.State.Check != "" && it.State.Check != it.Check {
					t.Errorf("item of %s returned the state of %s", it.Check, it.State.Check)
				}
			}
		}
		if len(rest) != 0 {
			t.Fatal("the batches do not cover the probes")
		}
		from, to := start.Add(-24*time.Hour), start.Add(24*time.Hour)
		for _, name := range names {
			one, batch := "one-"+name, "batch-"+name
			a, _ := s.Results(ctx, one, from, to, 100)
			b, err := s.Results(ctx, batch, from, to, 100)
			if err != nil || len(a) != 10 || len(b) != 10 {
				t.Fatalf("%s: %v, %d and %d results", name, err, len(a), len(b))
			}
			for i := range a {
				a[i].ID, b[i].ID, a[i].Check, b[i].Check = 0, 0, "", ""
				if fmt.Sprint(a[i]) != fmt.Sprint(b[i]) {
					t.Errorf("%s result %d: %+v one by one, %+v in batches", name, i, a[i], b[i])
				}
			}
			for _, period := range []string{uptime.Hour, uptime.Day} {
				ra, _ := s.Rollups(ctx, one, period, from, to)
				rb, err := s.Rollups(ctx, batch, period, from, to)
				if err != nil || len(ra) == 0 || len(ra) != len(rb) {
					t.Fatalf("%s %s rollups: %v, %d and %d", name, period, err, len(ra), len(rb))
				}
				for i := range ra {
					ra[i].Check, rb[i].Check = "", ""
					if ra[i] != rb[i] {
						t.Errorf("%s %s rollup %d: %+v one by one, %+v in batches", name, period, i, ra[i], rb[i])
					}
				}
			}
			sa, _ := s.State(ctx, one)
			sb, err := s.State(ctx, batch)
			if err != nil {
				t.Fatal(err)
			}
			if sa.Down != sb.Down || sa.ConsecutiveFailures != sb.ConsecutiveFailures || (sa.IncidentID == 0) != (sb.IncidentID == 0) ||
				sa.Last == nil || sb.Last == nil || !sa.Last.At.Equal(sb.Last.At) {
				t.Errorf("%s state: %+v one by one, %+v in batches", name, sa, sb)
			}
			ia, _ := s.Incidents(ctx, uptime.IncidentFilter{Check: one})
			ib, err := s.Incidents(ctx, uptime.IncidentFilter{Check: batch})
			if err != nil || len(ia) == 0 || len(ia) != len(ib) {
				t.Fatalf("%s incidents: %v, %d and %d", name, err, len(ia), len(ib))
			}
			for i := range ia {
				a, b := ia[i], ib[i]
				if !a.FirstFailAt.Equal(b.FirstFailAt) || !a.DetectedAt.Equal(b.DetectedAt) || !a.ResolvedAt.Equal(b.ResolvedAt) || a.Cause != b.Cause {
					t.Errorf("%s incident %d: %+v one by one, %+v in batches", name, i, a, b)
				}
			}
		}
	})
}

// TestConcurrentBatchesDoNotLoseUpdates: writers standing for several
// instances record batches of the same checks at once, in different
// orders, starting before any state row exists. Every read-modify-write
// of a check's state must see the one before it: the failure counts add up
// and no batch deadlocks or fails.
func TestConcurrentBatchesDoNotLoseUpdates(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		s := uptimesql.New(db)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		checks := []string{"c1", "c2", "c3", "c4"}
		const writers, batches = 4, 15
		at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		errs := make(chan error, writers*batches)
		ready := make(chan struct{})
		for w := range writers {
			wg.Go(func() {
				<-ready // all at once, to race for the rows not yet created
				for b := range batches {
					var items []*uptime.BatchItem
					for k := range checks {
						name := checks[(k+w+b)%len(checks)]
						if (k+w)%2 == 0 {
							name = checks[len(checks)-1-(k+b)%len(checks)]
						}
						r := uptime.Result{Check: name, At: at, Error: "down"}
						items = append(items, &uptime.BatchItem{Check: name, Apply: func(st *uptime.State) uptime.Record {
							st.Check = name
							st.ConsecutiveFailures++
							return uptime.Record{Result: r}
						}})
					}
					if err := s.RecordBatch(ctx, items); err != nil {
						errs <- fmt.Errorf("writer %d batch %d: %w", w, b, err)
						return
					}
				}
			})
		}
		close(ready)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		total := 0
		for _, name := range checks {
			st, err := s.State(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			total += st.ConsecutiveFailures
			rs, err := s.Rollups(ctx, name, uptime.Hour, at.Add(-time.Hour), at.Add(time.Hour))
			if err != nil || len(rs) != 1 || rs[0].Failed != int64(st.ConsecutiveFailures) {
				t.Errorf("%s: state counts %d failures, rollups %+v (%v)", name, st.ConsecutiveFailures, rs, err)
			}
		}
		if want := writers * batches * len(checks); total != want {
			t.Errorf("states count %d probes, want %d: an update was lost", total, want)
		}
	})
}

// TestFirstProbesOfACheckSerialise: two writers record the first probe of
// a check whose state row does not exist yet. The row lock must hold even
// then: the second writer waits for the first and sees its change. Each
// apply waits (up to a bound) for the other to be inside its own apply, so
// that without the lock both would read the missing row and one update
// would be lost every time.
func TestFirstProbesOfACheckSerialise(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		s := uptimesql.New(db)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		inside := make(chan struct{}, 2)
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for range 2 {
			wg.Go(func() {
				it := &uptime.BatchItem{Check: "new", Apply: func(st *uptime.State) uptime.Record {
					st.Check = "new"
					st.ConsecutiveFailures++
					inside <- struct{}{}
					deadline := time.After(700 * time.Millisecond)
					for len(inside) < 2 {
						select {
						case <-deadline:
							return uptime.Record{Result: uptime.Result{Check: "new", At: at, Error: "down"}}
						case <-time.After(10 * time.Millisecond):
						}
					}
					return uptime.Record{Result: uptime.Result{Check: "new", At: at, Error: "down"}}
				}}
				errs <- s.RecordBatch(ctx, []*uptime.BatchItem{it})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		st, err := s.State(ctx, "new")
		if err != nil || st.ConsecutiveFailures != 2 {
			t.Errorf("state %+v (%v): want 2 failures, one from each writer", st, err)
		}
	})
}
