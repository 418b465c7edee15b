package errtrack_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/errtrack/errsql"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

type raised struct {
	mu     sync.Mutex
	alerts []alert.Alert
}

func (r *raised) Raise(_ context.Context, a alert.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, a)
	return nil
}

func (r *raised) Resolve(context.Context, alert.Labels, time.Time) error { return nil }

func (r *raised) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, a := range r.alerts {
		out = append(out, a.Name()+" "+a.Labels["issue_id"])
	}
	return out
}

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func ev(i int, msg, env, level string, at time.Time) *errtrack.Event {
	return &errtrack.Event{ID: fmt.Sprintf("%032x", i), Message: msg, Environment: env, Level: level, Received: at, Timestamp: at, Raw: []byte("{}")}
}

func TestSpikeAlerts(t *testing.T) {
	rec := &raised{}
	svc := errtrack.New(errtrack.Options{
		Store: errsql.New(storetest.SQLite(t, errsql.Migrations)), Alerts: rec, Clock: clock.NewFake(t0),
		Projects: []errtrack.Project{{ID: 1, Name: "app", Key: "k", Spike: &errtrack.Spike{Events: 3, Window: time.Minute, Environment: "production", Level: "error"}}},
	})
	svc.Start()
	defer svc.Stop(context.Background())
	ctx := context.Background()
	send := func(i int, env, level string, at time.Time) {
		if _, err := svc.Ingest(ctx, 1, ev(i, "db timeout", env, level, at)); err != nil {
			t.Fatal(err)
		}
	}
	// Filtered out: staging, and warnings below the error level.
	for i := 0; i < 5; i++ {
		send(i, "staging", "error", t0)
		send(10+i, "production", "warning", t0)
	}
	// Three in a minute is not more than three; spread out never spikes.
	for i := 0; i < 3; i++ {
		send(20+i, "production", "error", t0.Add(time.Duration(i)*40*time.Second))
	}
	if slices.ContainsFunc(rec.names(), func(n string) bool { return n[:len(errtrack.AlertSpike)] == errtrack.AlertSpike }) {
		t.Fatalf("spiked early: %v", rec.names())
	}
	// Four within a minute: one spike alert, not one per further event.
	base := t0.Add(10 * time.Minute)
	for i := 0; i < 8; i++ {
		send(30+i, "production", "error", base.Add(time.Duration(i)*time.Second))
	}
	var spikes int
	for _, n := range rec.names() {
		if len(n) >= len(errtrack.AlertSpike) && n[:len(errtrack.AlertSpike)] == errtrack.AlertSpike {
			spikes++
		}
	}
	if spikes != 1 {
		t.Fatalf("%d spike alerts, want 1: %v", spikes, rec.names())
	}
}

func TestRateAndOverload(t *testing.T) {
	clk := clock.NewFake(t0)
	svc := errtrack.New(errtrack.Options{
		Store: errsql.New(storetest.SQLite(t, errsql.Migrations)), Clock: clk, QueueSize: 1,
		Projects: []errtrack.Project{{ID: 1, Name: "app", Key: "k", RatePerSecond: 2, Burst: 2}},
	})
	for i, want := range []bool{true, true, false} {
		if ok, wait := svc.Allow(1); ok != want || (!ok && wait != 500*time.Millisecond) {
			t.Fatalf("take %d: %v %v", i, ok, wait)
		}
	}
	clk.Advance(500 * time.Millisecond)
	if ok, _ := svc.Allow(1); !ok {
		t.Fatal("no token after refill")
	}
	if ok, _ := svc.Allow(2); !ok {
		t.Fatal("a project without a rate was limited")
	}
	// Not started: the first event fills the queue of one (its caller
	// gives up waiting; the event stays queued), the next is refused at once.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := svc.Ingest(ctx, 1, ev(1, "a", "", "error", t0)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first event: %v", err)
	}
	if _, err := svc.Ingest(context.Background(), 1, ev(2, "b", "", "error", t0)); !errors.Is(err, errtrack.ErrOverloaded) {
		t.Fatalf("second event: %v, want ErrOverloaded", err)
	}
	svc.Start()
	if err := svc.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Ingest(context.Background(), 1, ev(3, "c", "", "error", t0)); !errors.Is(err, errtrack.ErrStopped) {
		t.Fatalf("after stop: %v", err)
	}
}

func TestDSN(t *testing.T) {
	p := errtrack.Project{ID: 4, Key: "abc"}
	for base, want := range map[string]string{
		"http://127.0.0.1:9090":       "http://abc@127.0.0.1:9090/4",
		"https://warden.example.com/": "https://abc@warden.example.com/4",
		"https://example.com/warden":  "https://abc@example.com/warden/4",
	} {
		if got := errtrack.DSN(base, p); got != want {
			t.Errorf("%s: %s, want %s", base, got, want)
		}
	}
}

// TestRegressionRaceTwoInstances runs two instances (two services, each
// with its own writer and store) on one database and sends each an event
// of a resolved issue at the same moment, round after round: the issue is
// reopened once and exactly one regression alert is raised per round,
// not one per instance. On PostgreSQL both writers' transactions read the
// issue as resolved; the regression is decided by a conditional UPDATE
// that the row lock serialises.
func TestRegressionRaceTwoInstances(t *testing.T) {
	storetest.ForEach(t, []store.MigrationSet{errsql.Migrations}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rec := &raised{}
		projects := []errtrack.Project{{ID: 1, Name: "app", Key: "k"}}
		var svcs [2]*errtrack.Service
		for i := range svcs {
			svcs[i] = errtrack.New(errtrack.Options{Store: errsql.New(db), Alerts: rec, Clock: clock.NewFake(t0), Projects: projects})
			svcs[i].Start()
			defer svcs[i].Stop(ctx)
		}
		first, err := svcs[0].Ingest(ctx, 1, ev(1, "db timeout", "production", "error", t0))
		if err != nil {
			t.Fatal(err)
		}
		const rounds = 15
		for round := 0; round < rounds; round++ {
			if _, err := svcs[0].SetStatus(ctx, first.IssueID, errtrack.StatusChange{Status: errtrack.StatusResolved}); err != nil {
				t.Fatal(err)
			}
			at := t0.Add(time.Duration(round+1) * time.Minute)
			start := make(chan struct{})
			var wg sync.WaitGroup
			results := make([]errtrack.SaveResult, 2)
			errs := make([]error, 2)
			for i, svc := range svcs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i], errs[i] = svc.Ingest(ctx, 1, ev(1000+round*2+i, "db timeout", "production", "error", at))
				}()
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := btoi(results[0].Regressed) + btoi(results[1].Regressed); n != 1 {
				t.Fatalf("round %d: %d instances decided the issue regressed: %+v", round, n, results)
			}
			for _, r := range results {
				if r.IssueID != first.IssueID || r.Status != errtrack.StatusUnresolved {
					t.Fatalf("round %d: %+v", round, r)
				}
			}
		}
		// Alerts are raised after the events are acknowledged: stop the
		// writers so that every one is in.
		for _, svc := range svcs {
			if err := svc.Stop(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var regressions int
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, a := range rec.alerts {
			if a.Name() == errtrack.AlertRegression {
				regressions++
			}
		}
		if regressions != rounds {
			t.Fatalf("%d regression alerts in %d rounds, want one per round", regressions, rounds)
		}
		is, err := svcs[1].Store().GetIssue(ctx, first.IssueID)
		if err != nil || is.Count != 1+2*rounds || is.Status != errtrack.StatusUnresolved {
			t.Fatalf("issue %+v %v", is, err)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
