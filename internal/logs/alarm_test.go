package logs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/logql"
	"github.com/wardenhq/warden/internal/logs/logstore"
)

// recorder is an alert.Raiser that remembers what is firing.
type recorder struct {
	mu     sync.Mutex
	firing map[string]alert.Alert
	events []string
}

func (r *recorder) Raise(_ context.Context, a alert.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firing == nil {
		r.firing = map[string]alert.Alert{}
	}
	if _, ok := r.firing[a.Fingerprint()]; !ok {
		r.events = append(r.events, "raise "+a.Labels.String())
	}
	r.firing[a.Fingerprint()] = a
	return nil
}

func (r *recorder) Resolve(_ context.Context, l alert.Labels, _ time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.firing[l.Fingerprint()]; ok {
		delete(r.firing, l.Fingerprint())
		r.events = append(r.events, "resolve "+l.String())
	}
	return nil
}

func setup(t *testing.T) (*logs.Service, *clock.Fake, *logstore.Store) {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	st, err := logstore.Open(logstore.Options{Dir: t.TempDir(), FlushInterval: time.Hour, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return logs.NewService(logs.Options{Store: st, Clock: clk}), clk, st
}

func errorsAt(t *testing.T, svc *logs.Service, at time.Time, n int, path string) {
	t.Helper()
	var recs []logs.Record
	for i := 0; i < n; i++ {
		recs = append(recs, logs.Record{Time: at, Fields: []logs.Field{{Name: "level", Value: "error"}, {Name: "_msg", Value: "boom"}, {Name: "path", Value: path}}})
	}
	if err := svc.Append(context.Background(), "production", "api", recs); err != nil {
		t.Fatal(err)
	}
}

func alarm(t *testing.T, name, q, cond string, window time.Duration) logs.Alarm {
	c, err := logql.ParseCondition(cond)
	if err != nil {
		t.Fatal(err)
	}
	return logs.Alarm{Name: name, Query: q, Window: window, Condition: c, Severity: "critical", Runbook: "app-errors"}
}

func TestAlarmFiresAndResolves(t *testing.T) {
	svc, clk, st := setup(t)
	rec := &recorder{}
	ev := &logs.Evaluator{Service: svc, Raiser: rec, Ready: func() bool { return len(st.Stats()) > 0 || st.Buffered() > 0 },
		RunbookURL: func(n string) string { return "http://warden/ui/runbooks/" + n }}
	rate := alarm(t, "error-rate", "level:=error | stats count() n", "n > 10", time.Minute)
	absent := alarm(t, "no-logs", "* | stats count() n", "n < 1", 5*time.Minute)
	ctx := context.Background()

	if err := ev.Evaluate(ctx, absent); err != nil || len(rec.events) != 0 {
		t.Fatalf("an empty store must not page: %v %v", err, rec.events)
	}
	errorsAt(t, svc, clk.Now(), 11, "/api/pay")
	for _, a := range []logs.Alarm{rate, absent} {
		if err := ev.Evaluate(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if len(rec.firing) != 1 {
		t.Fatalf("firing: %v", rec.events)
	}
	for _, a := range rec.firing {
		if a.Annotations[alert.AnnotationValue] != "11" || a.Annotations[alert.AnnotationRunbook] != "http://warden/ui/runbooks/app-errors" || a.Labels[alert.LabelSource] != "logs" {
			t.Fatalf("alert: %+v", a)
		}
	}
	clk.Advance(2 * time.Minute) // the errors leave the window
	ev.Evaluate(ctx, rate)
	if len(rec.firing) != 0 {
		t.Fatalf("not resolved: %v", rec.events)
	}
	clk.Advance(5 * time.Minute) // and then no logs at all
	ev.Evaluate(ctx, absent)
	want := []string{
		`raise {alertname="error-rate", severity="critical", source="logs"}`,
		`resolve {alertname="error-rate", severity="critical", source="logs"}`,
		`raise {alertname="no-logs", severity="critical", source="logs"}`,
	}
	if fmt.Sprint(rec.events) != fmt.Sprint(want) {
		t.Fatalf("events:\n%v\nwant\n%v", rec.events, want)
	}
}

func TestAlarmPerGroup(t *testing.T) {
	svc, clk, _ := setup(t)
	rec := &recorder{}
	ev := &logs.Evaluator{Service: svc, Raiser: rec}
	a := alarm(t, "errors-by-path", "level:=error | stats by (path) count() n", "n > 2", 5*time.Minute)
	errorsAt(t, svc, clk.Now(), 3, "/a")
	errorsAt(t, svc, clk.Now(), 1, "/b")
	ev.Evaluate(context.Background(), a)
	if len(rec.firing) != 1 {
		t.Fatalf("firing %v", rec.events)
	}
	for _, f := range rec.firing {
		if f.Labels["path"] != "/a" {
			t.Fatalf("labels %v", f.Labels)
		}
	}
}
