package uptime

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/schedule"
	"github.com/wardenhq/warden/internal/scrub"
)

// AlertName is the alertname of a check that is down.
const AlertName = "CheckDown"

// Options configure a Monitor.
type Options struct {
	Checks []*Check
	Store  Store
	// Alerts receives down and recovery; alert.Discard{} when nil.
	Alerts alert.Raiser
	Prober *Prober
	Clock  clock.Clock
	Logger *slog.Logger
	// Environment and PublicURL label alerts and link back to Warden.
	Environment string
	PublicURL   string
	// Retention keeps raw results; RollupRetention hourly and daily rollups.
	Retention, RollupRetention time.Duration
}

// Monitor probes checks, tracks their incidents and tells the alert router.
type Monitor struct {
	opts    Options
	byName  map[string]*Check
	metrics *metrics

	// Probes started by Dispatch: base parents them, wg counts them, timers
	// holds those not yet started, so that Stop can cancel and wait.
	base      context.Context
	cancel    context.CancelFunc
	mu        sync.Mutex
	wg        sync.WaitGroup
	timers    map[int64]clock.Timer
	nextTimer int64
	stopped   bool
	// batch commits the dispatched probes in groups; started by the first
	// Dispatch.
	batch *batcher
	// alertMu holds a *sync.Mutex per check name: one reconcileAlert at a
	// time per check.
	alertMu sync.Map
}

// New returns a Monitor; Options.Store is required.
func New(opts Options) *Monitor {
	if opts.Alerts == nil {
		opts.Alerts = alert.Discard{}
	}
	if opts.Prober == nil {
		opts.Prober = &Prober{}
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	m := &Monitor{opts: opts, byName: map[string]*Check{}, timers: map[int64]clock.Timer{}, metrics: newMetrics()}
	m.base, m.cancel = context.WithCancel(context.Background())
	for _, c := range opts.Checks {
		m.byName[c.Name] = c
	}
	return m
}

// Checks returns the checks in configuration order.
func (m *Monitor) Checks() []*Check { return m.opts.Checks }

// Check returns the check called name.
func (m *Monitor) Check(name string) (*Check, bool) {
	c, ok := m.byName[name]
	return c, ok
}

// Store returns the monitor's store, for the API and pages.
func (m *Monitor) Store() Store { return m.opts.Store }

// Now is the monitor's clock.
func (m *Monitor) Now() time.Time { return m.opts.Clock.Now() }

// Probe runs one probe of c and judges it without storing anything (the
// CLI's `checks run`).
func (m *Monitor) Probe(ctx context.Context, c *Check) Result {
	r := m.opts.Prober.Probe(ctx, c, m.opts.Clock.Now)
	if _, ok := c.InMaintenance(r.At); ok {
		r.Maintenance = true
	}
	return r
}

// Run probes the check called name, stores the result, moves its incident
// state and tells the alert router what changed.
func (m *Monitor) Run(ctx context.Context, name string) (Result, error) {
	c, ok := m.byName[name]
	if !ok {
		return Result{}, fmt.Errorf("uptime: no check named %q", name)
	}
	r := m.Probe(ctx, c)
	return r, m.Apply(ctx, c, r)
}

// Apply applies a probe result to the check's state and stores it, then
// tells the alert router what changed. Run calls it; tests and imports of
// history feed recorded results through it.
func (m *Monitor) Apply(ctx context.Context, c *Check, r Result) error {
	return m.apply(ctx, c, r, func(ctx context.Context, it *BatchItem) error {
		return m.opts.Store.RecordBatch(ctx, []*BatchItem{it})
	})
}

// apply is Apply with the way the probe is stored: alone (Apply) or with
// others in the dispatcher's group commit. Either way it is committed
// before anything is reported.
func (m *Monitor) apply(ctx context.Context, c *Check, r Result, record func(context.Context, *BatchItem) error) error {
	// The error quotes values from the response body; scrub them as every
	// stored text is.
	r.Error = scrub.String(r.Error)
	done := r.At.Add(r.Latency)
	var tr Transition
	it := &BatchItem{Check: c.Name, Apply: func(st *State) Record {
		st.Check = c.Name
		tr = step(c, st, r, done)
		last := r
		last.Conditions = nil
		st.Last = &last
		return Record{Result: r, Open: tr.Opened, Close: tr.Resolved}
	}}
	if err := record(ctx, it); err != nil {
		return fmt.Errorf("uptime: store probe of %s: %w", c.Name, err)
	}
	st, id := it.State, it.Incident
	m.metrics.observe(r, st.Down)
	if tr.Opened != nil {
		m.opts.Logger.Warn("uptime: check down", "check", c.Name, "incident", id, "cause", r.Error,
			"time_to_detect_ms", tr.Opened.TimeToDetect().Milliseconds())
	}
	if tr.Resolved != nil {
		m.opts.Logger.Info("uptime: check recovered", "check", c.Name, "incident", tr.Resolved.ID)
	}
	if r.Maintenance {
		return nil // maintenance suppresses alerts; a later probe catches up
	}
	return m.reconcileAlert(ctx, c, st)
}

// reconcileAlert tells the router the state it has not yet taken. Because
// it compares with what was last told successfully, a failed raise or
// resolve is retried by the next probe, whatever its outcome. Probes of one
// check that commit close together (in one batch, or a slow probe beside
// the next) reconcile one at a time, each against the state as stored now,
// so that the router hears of each change once.
func (m *Monitor) reconcileAlert(ctx context.Context, c *Check, st State) error {
	if alertWanted(st) == st.Alerted {
		return nil
	}
	mu, _ := m.alertMu.LoadOrStore(c.Name, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	st, err := m.opts.Store.State(ctx, c.Name)
	if err != nil {
		return fmt.Errorf("uptime: read the state of %s to tell the alert router (retried at the next probe): %w", c.Name, err)
	}
	want := alertWanted(st)
	if want == st.Alerted {
		return nil // another probe of the check told it already
	}
	if want == string(alert.Firing) {
		err = m.raise(ctx, c, st)
	} else {
		err = m.opts.Alerts.Resolve(ctx, m.labels(c), m.opts.Clock.Now())
	}
	if err != nil {
		return fmt.Errorf("uptime: tell the alert router %s is %s (retried at the next probe): %w", c.Name, want, err)
	}
	return m.opts.Store.SetAlerted(ctx, c.Name, want)
}

// alertWanted is what the router should have been told for st: firing
// while down, resolved after an alert, nothing before the first.
func alertWanted(st State) string {
	switch {
	case st.Down:
		return string(alert.Firing)
	case st.Alerted != "":
		return string(alert.Resolved)
	}
	return ""
}

func (m *Monitor) labels(c *Check) alert.Labels {
	l := alert.Labels{
		alert.LabelAlertName: AlertName,
		alert.LabelSource:    "uptime",
		alert.LabelSeverity:  c.Severity,
		"check":              c.Name,
	}
	if m.opts.Environment != "" {
		l[alert.LabelEnvironment] = m.opts.Environment
	}
	if c.Group != "" {
		l[alert.LabelService] = c.Group
	}
	return l
}

func (m *Monitor) raise(ctx context.Context, c *Check, st State) error {
	inc, err := m.opts.Store.Incident(ctx, st.IncidentID)
	if err != nil {
		return fmt.Errorf("read incident %d: %w", st.IncidentID, err)
	}
	desc := fmt.Sprintf("%s failed %d probes in a row (threshold %d), the first at %s: %s",
		c.URL, st.ConsecutiveFailures, c.FailureThreshold, inc.FirstFailAt.UTC().Format(time.RFC3339), inc.Cause)
	return m.opts.Alerts.Raise(ctx, alert.Alert{
		Labels: m.labels(c),
		Annotations: alert.Labels{
			alert.AnnotationSummary:     fmt.Sprintf("Check %s is down", c.Name),
			alert.AnnotationDescription: desc,
			alert.AnnotationRunbook:     c.RunbookURL,
			alert.AnnotationValue:       inc.Cause,
		},
		StartsAt:     inc.FirstFailAt,
		GeneratorURL: fmt.Sprintf("%s/ui/checks?incident=%d", m.opts.PublicURL, inc.ID),
	})
}

// DispatchTick is how often the dispatch job runs; each run starts the
// probes whose slots fall in the next tick.
const DispatchTick = 5 * time.Second

// Jobs returns the scheduler jobs: the dispatcher and the retention job.
//
// The dispatcher, not one job per check, is what the scheduler runs: every
// tick one instance claims the tick's slot and starts, at their exact
// times, the probes whose slots fall inside it. Claiming a slot costs
// three database writes, so one claim per tick rather than one per probe
// is what keeps 500 checks at 30 s cheap; the slot claim still makes sure
// that when several instances share PostgreSQL exactly one probes each
// slot.
func (m *Monitor) Jobs() []schedule.Job {
	jobs := []schedule.Job{{
		Name: "uptime:dispatch", Schedule: schedule.Every(DispatchTick), Timeout: DispatchTick,
		Run: func(ctx context.Context) error {
			slot, ok := schedule.Slot(ctx)
			if !ok {
				slot = m.opts.Clock.Now()
			}
			m.Dispatch(slot, slot.Add(DispatchTick))
			return nil
		},
	}}
	if m.opts.Retention > 0 {
		jobs = append(jobs, schedule.Job{
			Name: "uptime:retention", Schedule: schedule.Every(time.Hour), Timeout: 10 * time.Minute,
			Run: func(ctx context.Context) error { _, err := m.Prune(ctx); return err },
		})
	}
	return jobs
}

// Dispatch arms a timer for every check slot in [from, to) and returns at
// once; each probe runs at its slot (plus jitter) in its own goroutine. Stop
// cancels what has not started and waits for the rest.
func (m *Monitor) Dispatch(from, to time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return
	}
	if m.batch == nil {
		m.batch = newBatcher(m.opts.Store, m.base, lingerFor(m.opts.Checks))
	}
	now := m.opts.Clock.Now()
	for _, c := range m.opts.Checks {
		sched := offsetEvery{interval: c.Interval, offset: c.Offset()}
		for slot := sched.Next(from.Add(-time.Nanosecond)); slot.Before(to); slot = sched.Next(slot) {
			delay := slot.Sub(now)
			if c.Jitter > 0 {
				delay += rand.N(c.Jitter)
			}
			m.wg.Add(1)
			id := m.nextTimer
			m.nextTimer++
			m.timers[id] = m.opts.Clock.AfterFunc(max(delay, 0), func() {
				m.mu.Lock()
				delete(m.timers, id)
				m.mu.Unlock()
				defer m.wg.Done()
				ctx, cancel := context.WithTimeout(m.base, c.Timeout+30*time.Second)
				defer cancel()
				if err := m.apply(ctx, c, m.Probe(ctx, c), m.batch.record); err != nil {
					m.opts.Logger.Error("uptime: probe", "check", c.Name, "error", err)
				}
			})
		}
	}
}

// Stop cancels probes not yet started and waits for running ones, or for
// ctx, whichever comes first.
func (m *Monitor) Stop(ctx context.Context) error {
	m.mu.Lock()
	m.stopped = true
	if m.batch != nil {
		m.batch.hurryUp()
	}
	for id, t := range m.timers {
		if t.Stop() {
			m.wg.Done()
		}
		delete(m.timers, id)
	}
	m.mu.Unlock()
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(done)
		if m.batch != nil {
			m.batch.stop() // no probe is left to submit
		}
	}()
	select {
	case <-done:
		m.cancel()
		return nil
	case <-ctx.Done():
		m.cancel()
		return fmt.Errorf("uptime: stop: probes still running: %w", ctx.Err())
	}
}

// Prune deletes results and rollups past their retention.
func (m *Monitor) Prune(ctx context.Context) (int64, error) {
	now := m.opts.Clock.Now()
	rollups := m.opts.RollupRetention
	if rollups < m.opts.Retention {
		rollups = m.opts.Retention
	}
	return m.opts.Store.Prune(ctx, now.Add(-m.opts.Retention), now.Add(-rollups))
}

// offsetEvery is a slot every interval since the epoch, shifted by offset.
type offsetEvery struct{ interval, offset time.Duration }

func (o offsetEvery) Next(after time.Time) time.Time {
	return schedule.Every(o.interval).Next(after.Add(-o.offset)).Add(o.offset)
}

func (o offsetEvery) String() string {
	return fmt.Sprintf("every %s at +%s", o.interval, o.offset.Round(time.Millisecond))
}

// CheckStatus is a check with its state, for lists.
type CheckStatus struct {
	Name     string  `json:"name"`
	Group    string  `json:"group,omitempty"`
	Kind     string  `json:"kind"`
	URL      string  `json:"url"`
	Interval string  `json:"interval"`
	State    string  `json:"state"`
	Last     *Result `json:"last,omitempty"`
	Incident int64   `json:"incident,omitempty"`
	Public   bool    `json:"public"`
}

// Statuses returns every check with its current state, in config order.
func (m *Monitor) Statuses(ctx context.Context) ([]CheckStatus, error) {
	now := m.opts.Clock.Now()
	out := make([]CheckStatus, 0, len(m.opts.Checks))
	for _, c := range m.opts.Checks {
		st, err := m.opts.Store.State(ctx, c.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, CheckStatus{Name: c.Name, Group: c.Group, Kind: c.Kind, URL: c.URL, Interval: c.Interval.String(),
			State: st.StateName(c, now), Last: st.Last, Incident: st.IncidentID, Public: c.Public})
	}
	return out, nil
}

// Groups returns the group names in first-seen order.
func Groups(checks []*Check) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range checks {
		if !seen[c.Group] {
			seen[c.Group] = true
			out = append(out, c.Group)
		}
	}
	return out
}
