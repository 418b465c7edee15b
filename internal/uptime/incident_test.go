package uptime_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
	"github.com/wardenhq/warden/internal/uptime"
	"github.com/wardenhq/warden/internal/uptime/uptimesql"
)

var sets = []store.MigrationSet{uptimesql.Migrations}

// flaky is a real upstream on loopback whose behaviour the test switches.
type flaky struct{ mode atomic.Value }

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch f.mode.Load().(string) {
	case "ok":
		w.Write([]byte(`{"status":"ok"}`))
	case "500":
		http.Error(w, `{"status":"error"}`, 500)
	case "hang":
		<-r.Context().Done()
	case "keyword":
		w.Write([]byte(`{"status":"maintenance"}`))
	}
}

// TestIncidentLifecycle drives a real server through 200, 500, a timeout,
// the wrong keyword and recovery: the incident opens at the second failing
// probe and closes at the first passing one, and the router hears of the
// outage and of the recovery once each.
func TestIncidentLifecycle(t *testing.T) {
	storetest.ForEach(t, sets, func(t *testing.T, db *store.DB) {
		up := &flaky{}
		srv := httptest.NewServer(up)
		defer srv.Close()
		clk := clock.NewFake(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
		rec := &recorder{}
		c := mustCheck(t, uptime.Check{Name: "api", Kind: "http", URL: srv.URL, Timeout: 300 * time.Millisecond, RunbookURL: "https://runbooks.example/api-down"},
			`status == 200`, `json.status == "ok"`)
		m := uptime.New(uptime.Options{Checks: []*uptime.Check{c}, Store: uptimesql.New(db), Alerts: rec, Clock: clk})
		ctx := context.Background()

		steps := []struct {
			mode             string
			down             bool
			raised, resolved int
		}{
			{"ok", false, 0, 0},
			{"500", false, 0, 0}, // first failure: below the threshold of 2
			{"hang", true, 1, 0}, // second: detected
			{"keyword", true, 1, 0},
			{"500", true, 1, 0},
			{"ok", false, 1, 1}, // success threshold 1: recovered
			{"ok", false, 1, 1},
		}
		var at []time.Time
		for i, s := range steps {
			up.mode.Store(s.mode)
			r, err := m.Run(ctx, "api")
			if err != nil {
				t.Fatalf("probe %d: %v", i, err)
			}
			at = append(at, r.At)
			st, _ := m.Store().State(ctx, "api")
			if st.Down != s.down || len(rec.raised) != s.raised || len(rec.resolved) != s.resolved {
				t.Fatalf("after probe %d (%s): down=%v raised=%d resolved=%d, want %v %d %d (result %+v)",
					i, s.mode, st.Down, len(rec.raised), len(rec.resolved), s.down, s.raised, s.resolved, r)
			}
			clk.Advance(10 * time.Second)
		}
		incs, err := m.Store().Incidents(ctx, uptime.IncidentFilter{Check: "api"})
		if err != nil || len(incs) != 1 {
			t.Fatalf("incidents: %v %+v", err, incs)
		}
		inc := incs[0]
		if !inc.FirstFailAt.Equal(at[1]) || inc.DetectedAt.Before(at[2]) || inc.DetectedAt.After(at[2].Add(time.Second)) ||
			!inc.RecoveredAt.Equal(at[5]) || inc.Open() || inc.Cause != "timed out" {
			t.Errorf("incident %+v; probes at %v", inc, at)
		}
		if d := inc.TimeToDetect(); d < 10*time.Second || d > 11*time.Second {
			t.Errorf("time to detect %v, want 10s plus the timeout", d)
		}
		// Every probe in between is kept, with status, latency and error.
		between, err := m.Store().Results(ctx, "api", inc.FirstFailAt, inc.ResolvedAt.Add(time.Millisecond), 100)
		if err != nil || len(between) != 5 {
			t.Fatalf("probes in the incident: %v %d", err, len(between))
		}
		if b := between[len(between)-1]; b.Status != 500 || !strings.Contains(b.Error, "status = 500") {
			t.Errorf("first failing probe stored as %+v", b)
		}
		if b := between[3]; b.Error != "timed out" || b.Latency < 250*time.Millisecond {
			t.Errorf("timed-out probe stored as %+v", b)
		}
		a := rec.raised[0]
		if a.Labels["alertname"] != uptime.AlertName || a.Labels["check"] != "api" || a.Annotations["runbook_url"] != "https://runbooks.example/api-down" ||
			!a.StartsAt.Equal(at[1]) || !strings.Contains(a.Annotations["description"], "timed out") {
			t.Errorf("alert %+v", a)
		}
		if rec.resolved[0].Fingerprint() != a.Labels.Fingerprint() {
			t.Errorf("resolved %v, raised %v", rec.resolved[0], a.Labels)
		}
		// Operator notes.
		if err := m.Store().AddNote(ctx, inc.ID, uptime.Note{At: clk.Now(), Author: "ops", Text: "restarted the pod"}); err != nil {
			t.Fatal(err)
		}
		got, err := m.Store().Incident(ctx, inc.ID)
		if err != nil || len(got.Notes) != 1 || got.Notes[0].Text != "restarted the pod" {
			t.Errorf("notes: %v %+v", err, got)
		}
		if err := m.Store().AddNote(ctx, 9999, uptime.Note{Text: "x"}); err == nil {
			t.Error("a note on a missing incident was accepted")
		}
	})
}

// TestAlertRetriedByNextProbe: a router that refuses the raise hears it
// again at the next probe, and a refused resolve too (Gatus never retries
// a resolve).
func TestAlertRetriedByNextProbe(t *testing.T) {
	db := storetest.SQLite(t, sets...)
	clk := clock.NewFake(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	rec := &recorder{}
	c := mustCheck(t, uptime.Check{Name: "api", Kind: "http", URL: "http://127.0.0.1:1/", FailureThreshold: 1})
	m := uptime.New(uptime.Options{Checks: []*uptime.Check{c}, Store: uptimesql.New(db), Alerts: rec, Clock: clk})
	ctx := context.Background()
	feed := func(ok bool) error {
		clk.Advance(10 * time.Second)
		return m.Apply(ctx, c, uptime.Result{Check: "api", At: clk.Now(), OK: ok, Error: map[bool]string{false: "down"}[ok]})
	}
	rec.failNext = 1
	if err := feed(false); err == nil {
		t.Fatal("a refused raise was not reported")
	}
	if err := feed(false); err != nil || len(rec.raised) != 1 {
		t.Fatalf("raise not retried: %v %d", err, len(rec.raised))
	}
	if err := feed(false); err != nil || len(rec.raised) != 1 {
		t.Fatalf("raised again while firing: %v %d", err, len(rec.raised))
	}
	rec.failNext = 1
	if err := feed(true); err == nil {
		t.Fatal("a refused resolve was not reported")
	}
	if err := feed(true); err != nil || len(rec.resolved) != 1 {
		t.Fatalf("resolve not retried: %v %d", err, len(rec.resolved))
	}
}

// TestMaintenanceSuppressesIncident: failures inside a window open nothing.
func TestMaintenanceSuppressesIncident(t *testing.T) {
	db := storetest.SQLite(t, sets...)
	start := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	rec := &recorder{}
	c := mustCheck(t, uptime.Check{Name: "api", Kind: "tcp", URL: "tcp://" + closedAddr(t),
		Maintenance: []uptime.Window{{StartsAt: start, EndsAt: start.Add(time.Hour), Comment: "db upgrade"}}}, "connected")
	m := uptime.New(uptime.Options{Checks: []*uptime.Check{c}, Store: uptimesql.New(db), Alerts: rec, Clock: clk})
	ctx := context.Background()
	for range 4 {
		r, err := m.Run(ctx, "api")
		if err != nil || !r.Maintenance || r.OK {
			t.Fatalf("%v %+v", err, r)
		}
		clk.Advance(10 * time.Second)
	}
	st, _ := m.Store().State(ctx, "api")
	if st.Down || len(rec.raised) != 0 || st.StateName(c, clk.Now()) != uptime.StateMaintenance {
		t.Errorf("maintenance: %+v raised=%d", st, len(rec.raised))
	}
	clk.Set(start.Add(time.Hour))
	m.Run(ctx, "api")
	m.Run(ctx, "api")
	if len(rec.raised) != 1 {
		t.Errorf("after the window the outage was not raised: %d", len(rec.raised))
	}
}
