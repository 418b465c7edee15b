package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/store"
)

// Errors RunNow and Add wrap, to test with errors.Is.
var (
	// ErrUnknownJob means no job is registered under the name given.
	ErrUnknownJob = errors.New("no job registered under that name")
	// ErrBusy means the job holds its lock elsewhere: RunNow does not queue.
	ErrBusy = errors.New("job is already running, on this or another instance; try again when it finishes")
	// ErrStopped means Stop was called; the scheduler takes no more work.
	ErrStopped = errors.New("scheduler is stopped")
)

// Job is one piece of periodic work.
type Job struct {
	// Name identifies the job across instances and restarts: it keys the
	// schedule_jobs row and the lock, so keep it stable (e.g. "uptime:api-health").
	Name     string
	Schedule Schedule
	// Timeout bounds one run through its context (measured on the real
	// clock, as context deadlines are); zero means no limit beyond Stop's
	// deadline.
	Timeout time.Duration
	// Run does the work. Its context carries the slot (see Slot) and is
	// cancelled on timeout or when Stop gives up waiting.
	Run func(ctx context.Context) error
}

// Options configure a Scheduler; every field has a default.
type Options struct {
	// Clock defaults to clock.Real{}.
	Clock clock.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Owner names this instance in schedule_jobs; it defaults to hostname:pid.
	Owner string
	// Registerer receives the scheduler's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Scheduler runs registered jobs at their slots. Create it with New.
type Scheduler struct {
	db      *store.DB
	clock   clock.Clock
	log     *slog.Logger
	owner   string
	locker  Locker
	metrics *metrics

	// base parents every run; Stop cancels it when its deadline passes.
	base       context.Context
	cancelBase context.CancelFunc

	mu      sync.Mutex
	jobs    map[string]*entry
	started bool
	stopped bool
	// inflight counts fire calls and runs in progress; Stop waits for it.
	inflight sync.WaitGroup
}

// entry is a registered job and its timer; timer, next and running are
// guarded by Scheduler.mu.
type entry struct {
	job     Job
	timer   clock.Timer
	next    time.Time   // the slot the timer is armed for
	running int         // runs in progress on this instance
	hasRow  atomic.Bool // schedule_jobs has the job's row
}

// New returns a Scheduler on db, which must have Migrations applied.
func New(db *store.DB, opts Options) *Scheduler {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Owner == "" {
		host, _ := os.Hostname()
		opts.Owner = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	base, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		db:         db,
		clock:      opts.Clock,
		log:        opts.Logger,
		owner:      opts.Owner,
		locker:     NewLocker(db),
		metrics:    newMetrics(opts.Registerer),
		base:       base,
		cancelBase: cancel,
		jobs:       map[string]*entry{},
	}
}

// Add registers job. Names must be unique. A job added after Start is armed
// for its next slot at once, without catch-up.
func (s *Scheduler) Add(job Job) error {
	switch {
	case strings.TrimSpace(job.Name) == "":
		return errors.New("schedule: add job: the name is empty")
	case job.Schedule == nil:
		return fmt.Errorf("schedule: add job %s: no schedule", job.Name)
	case job.Run == nil:
		return fmt.Errorf("schedule: add job %s: no Run function", job.Name)
	case job.Timeout < 0:
		return fmt.Errorf("schedule: add job %s: negative timeout %v", job.Name, job.Timeout)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return fmt.Errorf("schedule: add job %s: %w", job.Name, ErrStopped)
	}
	if _, dup := s.jobs[job.Name]; dup {
		return fmt.Errorf("schedule: add job %s: a job with that name is already registered", job.Name)
	}
	e := &entry{job: job}
	s.jobs[job.Name] = e
	if s.started {
		s.armLocked(e, job.Schedule.Next(s.clock.Now()))
	}
	return nil
}

// Start arms every job. A job whose latest slot was missed while no instance
// ran (downtime) runs once now for that slot; older missed slots are dropped.
// A job with no recorded run waits for its first slot. ctx bounds the
// database reads Start makes; the scheduler runs until Stop.
func (s *Scheduler) Start(ctx context.Context) error {
	last, err := s.lastSlots(ctx)
	if err != nil {
		return fmt.Errorf("schedule: start: read last slots: %w (is the database up, and were schedule.Migrations applied?)", err)
	}
	s.mu.Lock()
	if s.started || s.stopped {
		s.mu.Unlock()
		return errors.New("schedule: start: already started or stopped")
	}
	s.started = true
	now := s.clock.Now()
	var catchUp []func()
	for _, name := range s.namesLocked() {
		e := s.jobs[name]
		if prev, ran := last[name]; ran {
			if missed := latestDue(e.job.Schedule, prev, now); !missed.IsZero() {
				catchUp = append(catchUp, func() { s.fire(e, missed) })
				continue // fire arms the next slot
			}
		}
		s.armLocked(e, e.job.Schedule.Next(now))
	}
	s.mu.Unlock()
	for _, f := range catchUp {
		f()
	}
	return nil
}

// Stop disarms every job and waits for running ones to finish. If ctx ends
// first, it cancels their contexts and returns an error naming them.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	for _, e := range s.jobs {
		if e.timer != nil {
			e.timer.Stop()
			e.timer = nil
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
		s.cancelBase()
		return nil
	case <-ctx.Done():
		s.cancelBase()
		return fmt.Errorf("schedule: stop: gave up waiting for %s: %w", strings.Join(s.runningNames(), ", "), ctx.Err())
	}
}

// RunNow runs the job at once, outside its schedule (the CLI's and the API's
// "run now"), and returns its error. It does not use up a slot. It returns
// ErrBusy, without waiting, if the job is running anywhere.
func (s *Scheduler) RunNow(ctx context.Context, name string) error {
	s.mu.Lock()
	e, ok := s.jobs[name]
	switch {
	case !ok:
		s.mu.Unlock()
		return fmt.Errorf("schedule: run %s now: %w", name, ErrUnknownJob)
	case s.stopped:
		s.mu.Unlock()
		return fmt.Errorf("schedule: run %s now: %w", name, ErrStopped)
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	defer s.inflight.Done()

	unlock, ok, err := s.locker.TryLock(ctx, name)
	if err != nil {
		return fmt.Errorf("schedule: run %s now: %w", name, err)
	}
	if !ok {
		return fmt.Errorf("schedule: run %s now: %w", name, ErrBusy)
	}
	defer unlock()
	// Stop's give-up cancels manual runs too, not only scheduled ones.
	ctx, cancel := context.WithCancel(ctx)
	defer context.AfterFunc(s.base, cancel)()
	defer cancel()
	return s.run(ctx, e, time.Time{})
}

// fire handles the slot a timer fell due for: it arms the next slot first,
// so that a run that overruns simply finds its next slot skipped, then
// claims the slot, takes the job's lock and starts the run.
func (s *Scheduler) fire(e *entry, slot time.Time) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	now := s.clock.Now()
	if now.Before(slot) { // a wall clock stepped back: never arm the same slot twice
		now = slot
	}
	s.armLocked(e, e.job.Schedule.Next(now))
	s.inflight.Add(1)
	s.mu.Unlock()

	name := e.job.Name
	log := s.log.With("job", name, "slot", slot)
	ctx, cancel := context.WithTimeout(s.base, 30*time.Second)
	defer cancel()
	won, err := s.claim(ctx, e, slot)
	if err != nil {
		log.Error("schedule: claim slot failed; slot not run", "error", err)
		s.inflight.Done()
		return
	}
	if !won {
		log.Debug("schedule: slot taken by another instance")
		s.inflight.Done()
		return
	}
	unlock, ok, err := s.locker.TryLock(ctx, name)
	if err != nil {
		log.Error("schedule: lock job failed; slot not run", "error", err)
		s.inflight.Done()
		return
	}
	if !ok {
		s.metrics.skipped.WithLabelValues(name).Inc()
		log.Warn("schedule: slot skipped; the job is still running from an earlier slot")
		s.inflight.Done()
		return
	}
	go func() {
		defer s.inflight.Done()
		defer unlock()
		s.run(withSlot(s.base, slot), e, slot)
	}()
}

// armLocked sets e's timer for slot; s.mu must be held.
func (s *Scheduler) armLocked(e *entry, slot time.Time) {
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	e.next = slot
	if slot.IsZero() {
		s.log.Warn("schedule: job has no future slot; it will not run again", "job", e.job.Name)
		return
	}
	e.timer = s.clock.AfterFunc(slot.Sub(s.clock.Now()), func() { s.fire(e, slot) })
}

// namesLocked returns the job names in order, so that work happens in the
// same order on every start; s.mu must be held.
func (s *Scheduler) namesLocked() []string {
	names := make([]string, 0, len(s.jobs))
	for name := range s.jobs {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (s *Scheduler) runningNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, name := range s.namesLocked() {
		if s.jobs[name].running > 0 {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		out = []string{"a slot claim"}
	}
	return out
}

// wait blocks until no fire or run is in progress; tests call it between
// fake-clock steps instead of sleeping.
func (s *Scheduler) wait() { s.inflight.Wait() }
