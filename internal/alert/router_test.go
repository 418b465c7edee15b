package alert_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/alertsql"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

// recorder is a channel that records what it is sent and fails on demand.
type recorder struct {
	name string
	mu   sync.Mutex
	sent []*alert.Notification
	errs []error // returned by successive attempts, then nil
}

func (c *recorder) Name() string { return c.name }
func (c *recorder) Type() string { return "test" }
func (c *recorder) Send(ctx context.Context, n *alert.Notification) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errs) > 0 {
		err := c.errs[0]
		c.errs = c.errs[1:]
		return err
	}
	c.sent = append(c.sent, n)
	return nil
}

func (c *recorder) take() []*alert.Notification {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.sent
	c.sent = nil
	return out
}

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type harness struct {
	t     *testing.T
	db    *store.DB
	clk   *clock.Fake
	ch    *recorder
	r     *alert.Router
	cfg   config.Alerts
	retry alert.RetryPolicy
}

func newHarness(t *testing.T, db *store.DB, edit func(*config.Alerts)) *harness {
	t.Helper()
	cfg := config.Default().Alerts
	cfg.Channels = []config.AlertChannel{{Name: "ops", Type: "webhook"}}
	cfg.Defaults.Channels = []string{"ops"}
	cfg.Defaults.GroupWait = config.Duration(30 * time.Second)
	cfg.Defaults.GroupInterval = config.Duration(5 * time.Minute)
	cfg.Defaults.RepeatInterval = config.Duration(4 * time.Hour)
	if edit != nil {
		edit(&cfg)
	}
	h := &harness{t: t, db: db, clk: clock.NewFake(t0), ch: &recorder{name: "ops"}, cfg: cfg,
		retry: alert.RetryPolicy{MaxAttempts: 3, Initial: time.Second, Max: time.Minute}}
	h.start()
	return h
}

func (h *harness) start() {
	h.t.Helper()
	routes, err := alert.RoutesFromConfig(h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	r, err := alert.New(alert.Options{
		Store: alertsql.New(h.db), Clock: h.clk, Routes: routes, Channels: []alert.Channel{h.ch},
		SendResolved: map[string]bool{"ops": true}, Retry: h.retry,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.r = r
	h.t.Cleanup(func() { r.Stop(context.Background()) })
}

func (h *harness) advance(d time.Duration) []*alert.Notification {
	h.clk.Advance(d)
	h.r.WaitIdle()
	return h.ch.take()
}

func (h *harness) raise(name string, extra ...string) alert.Labels {
	h.t.Helper()
	l := alert.Labels{alert.LabelAlertName: name, alert.LabelSeverity: "critical"}
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	if err := h.r.Raise(context.Background(), alert.Alert{Labels: l, Annotations: alert.Labels{alert.AnnotationSummary: name}}); err != nil {
		h.t.Fatal(err)
	}
	return l
}

func expect(t *testing.T, got []*alert.Notification, n int, what string) {
	t.Helper()
	if len(got) != n {
		var titles []string
		for _, x := range got {
			titles = append(titles, x.Title())
		}
		t.Fatalf("%s: %d notifications %v, want %d", what, len(got), titles, n)
	}
}

func TestGroupWaitIntervalRepeatResolve(t *testing.T) {
	storetest.ForEach(t, []store.MigrationSet{alertsql.Migrations}, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, nil)
		h.raise("HighErrorRate", "service", "api")
		h.advance(10 * time.Second)
		h.raise("HighErrorRate", "service", "web") // same group (by alertname)
		expect(t, h.advance(19*time.Second), 0, "before group_wait")
		got := h.advance(1 * time.Second)
		expect(t, got, 1, "at group_wait")
		if len(got[0].Alerts) != 2 || got[0].Status != alert.Firing || got[0].Title() != "[FIRING:2] HighErrorRate" {
			t.Fatalf("first notification: %s with %d alerts", got[0].Title(), len(got[0].Alerts))
		}

		// Raising the same alerts again changes nothing: no new notification.
		h.raise("HighErrorRate", "service", "api")
		expect(t, h.advance(5*time.Minute), 0, "unchanged group at group_interval")

		// A new alert in the group waits for the next group_interval tick.
		h.raise("HighErrorRate", "service", "batch")
		expect(t, h.advance(4*time.Minute), 0, "new alert before group_interval")
		got = h.advance(time.Minute)
		expect(t, got, 1, "new alert at group_interval")
		if len(got[0].Firing()) != 3 {
			t.Fatalf("want 3 firing, got %d", len(got[0].Firing()))
		}

		// Resolving one is told at the next tick, with send_resolved.
		if err := h.r.Resolve(context.Background(), alert.Labels{alert.LabelAlertName: "HighErrorRate", alert.LabelSeverity: "critical", "service": "web"}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got = h.advance(5 * time.Minute)
		expect(t, got, 1, "resolve at group_interval")
		if len(got[0].Firing()) != 2 || len(got[0].ResolvedAlerts()) != 1 {
			t.Fatalf("want 2 firing and 1 resolved, got %d and %d", len(got[0].Firing()), len(got[0].ResolvedAlerts()))
		}

		// Unchanged for repeat_interval: sent again, once.
		total := 0
		for i := 0; i < 48; i++ { // 4h in group_interval steps
			total += len(h.advance(5 * time.Minute))
		}
		if total != 1 {
			t.Fatalf("over 4h unchanged: %d notifications, want 1 repeat", total)
		}

		// All resolved: one resolved notification, then the group is gone.
		for _, svc := range []string{"api", "batch"} {
			h.r.Resolve(context.Background(), alert.Labels{alert.LabelAlertName: "HighErrorRate", alert.LabelSeverity: "critical", "service": svc}, time.Time{})
		}
		got = h.advance(5 * time.Minute)
		expect(t, got, 1, "all resolved")
		if got[0].Status != alert.Resolved || got[0].Title() != "[RESOLVED] HighErrorRate" {
			t.Fatalf("all-resolved notification: %s", got[0].Title())
		}
		expect(t, h.advance(5*time.Hour), 0, "after the group closed")
		if n := len(h.r.Firing()); n != 0 {
			t.Fatalf("%d open alerts after all resolved", n)
		}
	})
}

func TestResolveInsideGroupWaitSendsNothing(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, alertsql.Migrations), nil)
	l := h.raise("Flap")
	h.advance(10 * time.Second)
	h.r.Resolve(context.Background(), l, time.Time{})
	expect(t, h.advance(time.Hour), 0, "alert resolved inside group_wait")
}

func TestSilenceMutesUntilExpired(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, alertsql.Migrations), nil)
	m, _ := alert.ParseMatcher(`alertname="DiskFull"`)
	s, err := h.r.AddSilence(context.Background(), alert.Silence{Matchers: []alert.Matcher{m}, EndsAt: t0.Add(time.Hour), CreatedBy: "ops", Comment: "disk swap"})
	if err != nil {
		t.Fatal(err)
	}
	h.raise("DiskFull")
	h.raise("Other")
	got := h.advance(30 * time.Second)
	expect(t, got, 1, "one silenced, one not")
	if got[0].Alerts[0].Name() != "Other" {
		t.Fatalf("notified %s", got[0].Title())
	}
	if st := h.r.Firing(); len(st) != 2 {
		t.Fatalf("firing = %d", len(st))
	}
	if _, err := h.r.ExpireSilence(context.Background(), s.ID); err != nil {
		t.Fatal(err)
	}
	got = h.advance(5 * time.Minute)
	expect(t, got, 1, "after the silence expired")
	if got[0].Alerts[0].Name() != "DiskFull" {
		t.Fatalf("notified %s", got[0].Title())
	}
}

func TestSilenceValidation(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t, alertsql.Migrations), nil)
	any, _ := alert.ParseMatcher(`alertname=~".*"`)
	for _, s := range []alert.Silence{
		{EndsAt: t0.Add(time.Hour), CreatedBy: "a", Comment: "b"},
		{Matchers: []alert.Matcher{any}, EndsAt: t0.Add(time.Hour), CreatedBy: "a", Comment: "b"},
	} {
		if _, err := h.r.AddSilence(context.Background(), s); err == nil {
			t.Errorf("silence %+v accepted", s)
		}
	}
}

// The restart case: an alert raised, Warden restarts in the middle
// of group_wait, and exactly one notification follows.
func TestRestartInGroupWaitSendsExactlyOnce(t *testing.T) {
	storetest.ForEach(t, []store.MigrationSet{alertsql.Migrations}, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, nil)
		h.raise("BackupStale")
		h.advance(20 * time.Second)
		h.r.Stop(context.Background())

		h.start() // a new router on the same database
		got := h.advance(9 * time.Second)
		expect(t, got, 0, "before the original group_wait deadline")
		got = h.advance(time.Second)
		expect(t, got, 1, "at the original group_wait deadline")
		expect(t, h.advance(time.Hour), 0, "an hour after")

		// And a restart after the notification does not send it again.
		h.r.Stop(context.Background())
		h.start()
		expect(t, h.advance(time.Hour), 0, "after a second restart")
	})
}

func TestRoutesPickChannelsAndGroupBy(t *testing.T) {
	db := storetest.SQLite(t, alertsql.Migrations)
	h := newHarness(t, db, func(c *config.Alerts) {
		c.Channels = append(c.Channels, config.AlertChannel{Name: "pager", Type: "webhook"})
		c.Routes = []config.AlertRoute{{Match: map[string]string{"severity": "page"}, Channels: []string{"ops"}, GroupBy: []string{"..."}}}
	})
	h.raise("A", "severity", "page", "x", "1")
	h.raise("A", "severity", "page", "x", "2")
	got := h.advance(30 * time.Second)
	expect(t, got, 2, "group_by ... gives one group per alert")
}

func TestRetriesThenDeliversAndLogsEveryAttempt(t *testing.T) {
	db := storetest.SQLite(t, alertsql.Migrations)
	h := newHarness(t, db, nil)
	h.ch.errs = []error{
		&alert.DeliveryError{Status: 500, Retryable: true, Err: errors.New("server error")},
		&alert.DeliveryError{Status: 429, Retryable: true, RetryAfter: 30 * time.Second, Err: errors.New("slow down")},
	}
	h.raise("Retry")
	h.clk.Advance(30 * time.Second) // flush: attempt 1 fails, sleeps ~1s on the fake clock
	waitFor(t, func() bool { return h.clk.Pending() >= 2 })
	h.clk.Advance(2 * time.Second) // attempt 2: 429, asks for 30s
	waitFor(t, func() bool { return h.clk.Pending() >= 2 && deliveries(t, h) == 2 })
	h.clk.Advance(20 * time.Second)
	if n := len(h.ch.take()); n != 0 {
		t.Fatalf("delivered before Retry-After elapsed")
	}
	h.clk.Advance(11 * time.Second)
	h.r.WaitIdle()
	expect(t, h.ch.take(), 1, "after retries")
	ds, _ := alertsql.New(db).Deliveries(context.Background(), alert.DeliveryFilter{})
	if len(ds) != 3 || ds[0].Status != "delivered" || ds[1].Status != "retrying" || ds[1].Code != 429 || ds[2].Code != 500 {
		t.Fatalf("delivery log: %+v", ds)
	}
}

func TestPermanentFailureIsNotRetried(t *testing.T) {
	db := storetest.SQLite(t, alertsql.Migrations)
	h := newHarness(t, db, nil)
	h.ch.errs = []error{&alert.DeliveryError{Status: 404, Err: errors.New("channel_not_found")}}
	h.raise("Gone")
	expect(t, h.advance(30*time.Second), 0, "404")
	ds, _ := alertsql.New(db).Deliveries(context.Background(), alert.DeliveryFilter{})
	if len(ds) != 1 || ds[0].Status != "failed" || ds[0].Error != "status 404: channel_not_found" {
		t.Fatalf("delivery log: %+v", ds)
	}
}

func deliveries(t *testing.T, h *harness) int {
	ds, err := alertsql.New(h.db).Deliveries(context.Background(), alert.DeliveryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(ds)
}

// waitFor polls a condition that another goroutine makes true; bounded.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

// Two instances on one PostgreSQL database: the leader (started) notifies,
// the follower only stores. An alert raised on the follower is sent once,
// by the leader, and resolving it on the follower is told once too.
func TestLeaderNotifiesForFollower(t *testing.T) {
	db := storetest.Postgres(t, alertsql.Migrations)
	leader := newHarness(t, db, nil)
	follower := &harness{t: t, db: db, clk: leader.clk, ch: &recorder{name: "ops"}, cfg: leader.cfg, retry: leader.retry}
	routes, _ := alert.RoutesFromConfig(follower.cfg)
	r, err := alert.New(alert.Options{Store: alertsql.New(db), Clock: leader.clk, Routes: routes, Channels: []alert.Channel{follower.ch}, SendResolved: map[string]bool{"ops": true}})
	if err != nil {
		t.Fatal(err)
	}
	follower.r = r // never started: a follower

	labels := follower.raise("QueueBacklog", "service", "worker")
	if err := follower.r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := leader.r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := leader.advance(30 * time.Second)
	expect(t, got, 1, "leader, for an alert raised on the follower")
	expect(t, follower.ch.take(), 0, "follower")
	if n := len(follower.r.Firing()); n != 1 {
		t.Fatalf("the follower lists %d alerts, want 1", n)
	}

	if err := follower.r.Resolve(context.Background(), labels, time.Time{}); err != nil {
		t.Fatal(err)
	}
	leader.advance(time.Second) // Resolve stamps UpdatedAt; let the clock move past it
	if err := leader.r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	got = leader.advance(5 * time.Minute)
	expect(t, got, 1, "leader, for the resolve done on the follower")
	if got[0].Status != alert.Resolved {
		t.Fatalf("got %s", got[0].Title())
	}
	expect(t, follower.ch.take(), 0, "follower")

	// A resolve on an instance that never saw the alert still lands.
	other := follower.raise("DiskFull")
	fresh, _ := alert.New(alert.Options{Store: alertsql.New(db), Clock: leader.clk, Routes: routes, Channels: []alert.Channel{&recorder{name: "ops"}}})
	if err := fresh.Resolve(context.Background(), other, time.Time{}); err != nil {
		t.Fatal(err)
	}
	open, _ := alertsql.New(db).OpenAlerts(context.Background())
	for _, a := range open {
		if a.Name() == "DiskFull" && a.EndsAt.IsZero() {
			t.Fatal("the resolve from an instance that had not seen the alert was lost")
		}
	}
}
