package errtrack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
)

// Project is one Sentry project events are sent to.
type Project struct {
	ID   int
	Name string
	Key  string
	// RatePerSecond and Burst cap accepted events (0: no cap).
	RatePerSecond float64
	Burst         int
	Spike         *Spike
}

// Spike raises an alert when more than Events events arrive within Window,
// per issue or per project, counting only events of Environment (if set)
// at or above Level (if set).
type Spike struct {
	Events      int
	Window      time.Duration
	PerProject  bool
	Environment string
	Level       string
}

// Options configures a Service.
type Options struct {
	Store    Store
	Alerts   alert.Raiser
	Clock    clock.Clock
	Logger   *slog.Logger
	Projects []Project
	// ExternalURL is Warden's public address, for links in alerts.
	ExternalURL string
	// QueueSize bounds events waiting to be stored; beyond it ingest
	// answers 429 instead of growing memory (default 4096).
	QueueSize int
	// MaxBatch bounds events stored in one transaction (default 256).
	MaxBatch int
}

// ErrOverloaded means the store cannot keep up; the caller should answer
// 429 and let the SDK retry.
var ErrOverloaded = errors.New("too many events waiting to be stored")

// ErrStopped means the service is shutting down.
var ErrStopped = errors.New("error tracking is stopping")

// Service groups events into issues, stores them in batches and raises
// alerts. It is safe for concurrent use.
type Service struct {
	opts     Options
	byKey    map[string]*Project
	byID     map[int]*Project
	limiters map[int]*limiter
	spikes   *spikes

	queue    chan *job
	stopOnce sync.Once
	stopping chan struct{}
	done     chan struct{}
}

type job struct {
	ev   *Event
	done chan jobResult
}

type jobResult struct {
	res SaveResult
	err error
}

// New returns a Service; call Start before Ingest.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Alerts == nil {
		opts.Alerts = alert.Discard{}
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 4096
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	s := &Service{
		opts: opts, byKey: map[string]*Project{}, byID: map[int]*Project{}, limiters: map[int]*limiter{},
		spikes: newSpikes(), queue: make(chan *job, opts.QueueSize),
		stopping: make(chan struct{}), done: make(chan struct{}),
	}
	for i := range opts.Projects {
		p := &opts.Projects[i]
		s.byKey[p.Key] = p
		s.byID[p.ID] = p
		if p.RatePerSecond > 0 {
			s.limiters[p.ID] = newLimiter(p.RatePerSecond, p.Burst, opts.Clock.Now())
		}
	}
	return s
}

// ProjectByKey finds the project whose DSN key is key.
func (s *Service) ProjectByKey(key string) (Project, bool) {
	p, ok := s.byKey[key]
	if !ok {
		return Project{}, false
	}
	return *p, true
}

// Projects lists the configured projects.
func (s *Service) Projects() []Project {
	out := make([]Project, 0, len(s.byID))
	for _, p := range s.byID {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Allow takes one event from the project's rate; when none is left it
// says how long until one is.
func (s *Service) Allow(projectID int) (bool, time.Duration) {
	l := s.limiters[projectID]
	if l == nil {
		return true, 0
	}
	return l.take(s.opts.Clock.Now())
}

// Start runs the writer that stores queued events in batches.
func (s *Service) Start() { go s.writer() }

// Stop stores what is queued and stops the writer.
func (s *Service) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() { close(s.stopping) })
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Prepare groups an event and derives its title and tags; Ingest calls it,
// and tests call it to see how an event would be grouped.
func (s *Service) Prepare(projectID int, ev *Event) {
	ev.ProjectID = projectID
	g := Group(ev)
	ev.GroupHash, ev.GroupMethod = g.Hash, g.Method
	ev.Title = Title(ev)
	ev.Tags = EventTags(ev)
}

// Ingest groups ev into an issue of project projectID and stores it,
// returning once it is committed.
func (s *Service) Ingest(ctx context.Context, projectID int, ev *Event) (SaveResult, error) {
	s.Prepare(projectID, ev)
	if ev.Stored == nil {
		ev.Stored = EncodePayload(ev.Raw)
	}
	j := &job{ev: ev, done: make(chan jobResult, 1)}
	select {
	case <-s.stopping:
		return SaveResult{}, ErrStopped
	default:
	}
	select {
	case s.queue <- j:
	default:
		return SaveResult{}, ErrOverloaded
	}
	select {
	case r := <-j.done:
		return r.res, r.err
	case <-ctx.Done():
		// The writer still stores it; the caller just stops waiting.
		return SaveResult{}, ctx.Err()
	}
}

func (s *Service) writer() {
	defer close(s.done)
	batch := make([]*job, 0, s.opts.MaxBatch)
	for {
		batch = batch[:0]
		select {
		case j := <-s.queue:
			batch = append(batch, j)
		case <-s.stopping:
			// Drain what was queued before stopping.
			for {
				select {
				case j := <-s.queue:
					s.store([]*job{j})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < s.opts.MaxBatch {
			select {
			case j := <-s.queue:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		s.store(batch)
	}
}

func (s *Service) store(batch []*job) {
	evs := make([]*Event, len(batch))
	for i, j := range batch {
		evs[i] = j.ev
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results, err := s.opts.Store.SaveEvents(ctx, evs)
	if err != nil && len(batch) > 1 {
		// One bad event must not fail its neighbours: store them one by one.
		for _, j := range batch {
			s.store([]*job{j})
		}
		return
	}
	for i, j := range batch {
		if err != nil {
			j.done <- jobResult{err: err}
			continue
		}
		j.done <- jobResult{res: results[i]}
	}
	if err != nil {
		return
	}
	for i, ev := range evs {
		s.afterSave(ctx, ev, results[i])
	}
}

// afterSave raises the alerts an event calls for.
func (s *Service) afterSave(ctx context.Context, ev *Event, r SaveResult) {
	p := s.byID[ev.ProjectID]
	if p == nil {
		return
	}
	if r.New {
		s.raise(ctx, AlertNewIssue, p, r.IssueID, ev, fmt.Sprintf("New issue in %s: %s", p.Name, ev.Title))
	}
	if r.Regressed {
		s.raise(ctx, AlertRegression, p, r.IssueID, ev, fmt.Sprintf("Regression in %s: %s", p.Name, ev.Title))
	}
	if sp := p.Spike; sp != nil && r.Status != StatusIgnored &&
		(sp.Environment == "" || sp.Environment == ev.Environment) && LevelAtLeast(ev.Level, sp.Level) {
		key := "issue:" + strconv.FormatInt(r.IssueID, 10)
		issueID := r.IssueID
		if sp.PerProject {
			key, issueID = "project:"+strconv.Itoa(p.ID), 0
		}
		if n, fire := s.spikes.add(key, ev.Received, sp.Events, sp.Window); fire {
			what := ev.Title
			if issueID == 0 {
				what = "all issues"
			}
			s.raise(ctx, AlertSpike, p, issueID, ev, fmt.Sprintf("Spike in %s: %d events in %s (%s)", p.Name, n, sp.Window, what))
		}
	}
}

// Alert names error tracking raises.
const (
	AlertNewIssue   = "ErrorNewIssue"
	AlertRegression = "ErrorIssueRegressed"
	AlertSpike      = "ErrorSpike"
)

// AlertLabels are the labels of an issue's (or, with issueID 0, a
// project's) alert of the given name.
func AlertLabels(name string, p Project, issueID int64) alert.Labels {
	sev := "warning"
	if name == AlertSpike {
		sev = "critical"
	}
	l := alert.Labels{alert.LabelAlertName: name, alert.LabelSource: "errors", alert.LabelSeverity: sev, "project": p.Name}
	if issueID > 0 {
		l["issue_id"] = strconv.FormatInt(issueID, 10)
	}
	return l
}

func (s *Service) raise(ctx context.Context, name string, p *Project, issueID int64, ev *Event, summary string) {
	a := alert.Alert{
		Labels: AlertLabels(name, *p, issueID),
		Annotations: alert.Labels{
			alert.AnnotationSummary:     summary,
			alert.AnnotationDescription: fmt.Sprintf("%s\nlevel %s, release %q, environment %q, culprit %s", ev.Title, ev.Level, ev.Release, ev.Environment, Culprit(ev)),
		},
		StartsAt: ev.Received,
	}
	if s.opts.ExternalURL != "" && issueID > 0 {
		a.GeneratorURL = s.opts.ExternalURL + "/ui/errors/" + strconv.FormatInt(issueID, 10)
	}
	if err := s.opts.Alerts.Raise(ctx, a); err != nil {
		s.opts.Logger.Warn("raise error alert", "alert", name, "issue_id", issueID, "error", err)
	}
}

// SetStatus changes an issue's status. Resolving or ignoring an issue
// resolves its alerts.
func (s *Service) SetStatus(ctx context.Context, id int64, ch StatusChange) (Issue, error) {
	switch ch.Status {
	case StatusUnresolved, StatusIgnored:
		if ch.ResolvedInRelease != "" {
			return Issue{}, &InputError{Field: "resolved_in_release", Msg: "only a resolved issue has a release"}
		}
	case StatusResolved:
	default:
		return Issue{}, &InputError{Field: "status", Msg: fmt.Sprintf("%q is not a status (use unresolved, resolved or ignored)", ch.Status)}
	}
	is, err := s.opts.Store.UpdateStatus(ctx, id, ch)
	if err != nil {
		return is, err
	}
	if ch.Status != StatusUnresolved {
		if p := s.byID[is.ProjectID]; p != nil {
			now := s.opts.Clock.Now()
			for _, name := range []string{AlertNewIssue, AlertRegression, AlertSpike} {
				if err := s.opts.Alerts.Resolve(ctx, AlertLabels(name, *p, id), now); err != nil {
					s.opts.Logger.Warn("resolve error alert", "alert", name, "issue_id", id, "error", err)
				}
			}
		}
	}
	return is, nil
}

// InputError is a bad request field.
type InputError struct{ Field, Msg string }

func (e *InputError) Error() string { return e.Field + ": " + e.Msg }

// Store returns the service's store, for reads.
func (s *Service) Store() Store { return s.opts.Store }

// DSN is the DSN an SDK uses to send events of p to Warden at baseURL
// (http://host:port).
func DSN(baseURL string, p Project) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("http://%s@%s/%d", p.Key, baseURL, p.ID)
	}
	u.User = url.User(p.Key)
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strconv.Itoa(p.ID)
	return u.String()
}
