package alert

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/clock"
)

// Options configures a Router.
type Options struct {
	Store    Store
	Clock    clock.Clock
	Logger   *slog.Logger
	Routes   []*Route // from RoutesFromConfig; the last is the default route
	Channels []Channel
	// SendResolved says per channel name whether resolved alerts are sent.
	SendResolved map[string]bool
	Retry        RetryPolicy
	ExternalURL  string
	Metrics      *Metrics
	// RunbookURL, when set, turns an alert's runbook_url annotation into a
	// link as it is raised: a bare runbook id becomes its page in the UI.
	RunbookURL func(ref string) string
}

// RetryPolicy bounds redelivery: exponential backoff from Initial to Max,
// at most MaxAttempts attempts in all.
type RetryPolicy struct {
	MaxAttempts int
	Initial     time.Duration
	Max         time.Duration
}

// Router routes, groups, silences and delivers alerts. It implements Raiser.
type Router struct {
	opts     Options
	channels map[string]Channel
	now      func() time.Time

	mu       sync.Mutex
	alerts   map[string]*Alert // open alerts by fingerprint
	groups   map[string]*group
	nflog    map[string]NotifyEntry // by group key + "\x00" + channel
	silences []Silence
	started  bool

	ctx        context.Context // cancelled by Stop; deliveries watch it
	cancel     context.CancelFunc
	deliveries sync.WaitGroup
}

// New returns a Router; call Start to load its state and arm its timers.
func New(opts Options) (*Router, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if len(opts.Routes) == 0 {
		return nil, errors.New("alert router: no routes (RoutesFromConfig gives at least the default)")
	}
	if opts.Retry.MaxAttempts < 1 {
		opts.Retry = RetryPolicy{MaxAttempts: 8, Initial: time.Second, Max: 5 * time.Minute}
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	r := &Router{
		opts: opts, channels: map[string]Channel{}, now: opts.Clock.Now,
		alerts: map[string]*Alert{}, groups: map[string]*group{}, nflog: map[string]NotifyEntry{},
	}
	for _, ch := range opts.Channels {
		r.channels[ch.Name()] = ch
	}
	for _, rt := range opts.Routes {
		for _, name := range rt.Channels {
			if _, ok := r.channels[name]; !ok {
				return nil, fmt.Errorf("alert router: %s names unknown channel %q", rt.describe(), name)
			}
		}
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

// Start makes this router the one that notifies: it loads the stored
// alerts, groups, notification log and silences, and arms each group's timer
// at the deadline it had before a restart. With several Warden instances on
// one database, only the leader calls Start; the others store what they are
// given and the leader picks it up with Sync.
func (r *Router) Start(ctx context.Context) error {
	if err := r.ReloadSilences(ctx); err != nil {
		return err
	}
	entries, err := r.opts.Store.NotifyEntries(ctx)
	if err != nil {
		return fmt.Errorf("alert router: load notification log: %w", err)
	}
	r.mu.Lock()
	for _, e := range entries {
		r.nflog[e.GroupKey+"\x00"+e.Channel] = e
	}
	// Whatever was raised before Start is in the store too; load it all anew.
	for _, g := range r.groups {
		if g.timer != nil {
			g.timer.Stop()
		}
	}
	r.alerts, r.groups = map[string]*Alert{}, map[string]*group{}
	r.started = true
	r.mu.Unlock()
	return r.Sync(ctx)
}

// Sync merges the open alerts and group deadlines from the store into
// memory: alerts raised or resolved by another instance, and groups whose
// timers a restart must re-arm. On the leader it arms timers; elsewhere it
// only keeps the lists the API and UI show current.
func (r *Router) Sync(ctx context.Context) error {
	readAt := r.now()
	stored, err := r.opts.Store.Groups(ctx)
	if err != nil {
		return fmt.Errorf("alert router: load groups: %w", err)
	}
	open, err := r.opts.Store.OpenAlerts(ctx)
	if err != nil {
		return fmt.Errorf("alert router: load alerts: %w", err)
	}
	deadlines := map[string]GroupState{}
	for _, g := range stored {
		deadlines[g.Key] = g
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	seen := make(map[string]bool, len(open))
	for i := range open {
		a := open[i]
		fp := a.Fingerprint()
		seen[fp] = true
		if cur, ok := r.alerts[fp]; ok && !a.UpdatedAt.After(cur.UpdatedAt) {
			continue
		}
		r.alerts[fp] = &a
		for _, rt := range matchRoutes(r.opts.Routes, a.Labels) {
			r.addToGroupLocked(ctx, rt, &a, now, deadlines)
		}
	}
	// Alerts closed by the leader since the last look (but not ones raised
	// here after the store was read).
	for fp, a := range r.alerts {
		if !seen[fp] && a.UpdatedAt.Before(readAt) {
			delete(r.alerts, fp)
			for _, g := range r.groups {
				delete(g.members, fp)
			}
		}
	}
	if r.started {
		for key := range deadlines {
			if _, live := r.groups[key]; !live {
				_ = r.opts.Store.DeleteGroup(ctx, key)
			}
		}
	}
	r.opts.Metrics.firing.Set(float64(r.countFiringLocked(now)))
	return nil
}

// Stop disarms the timers and waits, until ctx ends, for deliveries under
// way; then it cancels the rest.
func (r *Router) Stop(ctx context.Context) error {
	r.mu.Lock()
	for _, g := range r.groups {
		if g.timer != nil {
			g.timer.Stop()
		}
	}
	r.started = false
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.deliveries.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	r.cancel()
	<-done
	return nil
}

// Raise records a firing alert and routes it. The same labels again while
// firing only refresh it.
func (r *Router) Raise(ctx context.Context, a Alert) error {
	if err := checkAlert(&a); err != nil {
		return err
	}
	r.linkRunbook(&a)
	now := r.now()
	a.UpdatedAt = now
	if a.StartsAt.IsZero() {
		a.StartsAt = now
	}
	fp := a.Fingerprint()
	r.mu.Lock()
	defer r.mu.Unlock()
	old, known := r.alerts[fp]
	if !known {
		// Perhaps firing already, raised on another instance: keep its start.
		stored, err := r.storedAlertLocked(ctx, fp)
		if err != nil {
			return err
		}
		old, known = stored, stored != nil
	}
	if known && old.StateAt(now) == Firing && old.StartsAt.Before(a.StartsAt) {
		a.StartsAt = old.StartsAt
	}
	if err := r.opts.Store.PutAlert(ctx, a, false); err != nil {
		return fmt.Errorf("store alert %s: %w", a.Labels, err)
	}
	r.alerts[fp] = &a
	if !known || old.StateAt(now) == Resolved {
		r.opts.Metrics.received.WithLabelValues(a.Labels[LabelSource]).Inc()
	}
	for _, rt := range matchRoutes(r.opts.Routes, a.Labels) {
		r.addToGroupLocked(ctx, rt, &a, now, nil)
	}
	r.opts.Metrics.firing.Set(float64(r.countFiringLocked(now)))
	return nil
}

// linkRunbook resolves the runbook annotation with Options.RunbookURL, on
// a copy of the annotations, which belong to the caller.
func (r *Router) linkRunbook(a *Alert) {
	ref := a.Annotations[AnnotationRunbook]
	if r.opts.RunbookURL == nil || ref == "" {
		return
	}
	if link := r.opts.RunbookURL(ref); link != ref {
		a.Annotations = a.Annotations.Clone()
		a.Annotations[AnnotationRunbook] = link
	}
}

// Resolve marks the alert with these labels resolved at at. Its group tells
// the channels at its next flush.
func (r *Router) Resolve(ctx context.Context, labels Labels, at time.Time) error {
	fp := labels.Fingerprint()
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.alerts[fp]
	if !ok {
		// Raised on another instance and not synced here yet.
		stored, err := r.storedAlertLocked(ctx, fp)
		if err != nil || stored == nil {
			return err
		}
		a = stored
		r.alerts[fp] = a
	}
	now := r.now()
	if a.StateAt(now) == Resolved {
		return nil
	}
	if at.IsZero() || at.After(now) {
		at = now
	}
	resolved := *a
	resolved.EndsAt, resolved.UpdatedAt = at, now
	if err := r.opts.Store.PutAlert(ctx, resolved, false); err != nil {
		return fmt.Errorf("store alert %s: %w", labels, err)
	}
	*a = resolved
	r.opts.Metrics.firing.Set(float64(r.countFiringLocked(now)))
	return nil
}

func (r *Router) storedAlertLocked(ctx context.Context, fp string) (*Alert, error) {
	open, err := r.opts.Store.OpenAlerts(ctx)
	if err != nil {
		return nil, fmt.Errorf("alert router: load alerts: %w", err)
	}
	for i := range open {
		if open[i].Fingerprint() == fp {
			return &open[i], nil
		}
	}
	return nil, nil
}

func checkAlert(a *Alert) error {
	if a.Labels[LabelAlertName] == "" {
		return fmt.Errorf("alert has no %s label", LabelAlertName)
	}
	for k := range a.Labels {
		if !isLabelName(k) {
			return fmt.Errorf("alert label %q is not a label name (letters, digits and _)", k)
		}
	}
	if a.Annotations == nil {
		a.Annotations = Labels{}
	}
	return nil
}

func isLabelName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (r *Router) countFiringLocked(now time.Time) int {
	n := 0
	for _, a := range r.alerts {
		if a.StateAt(now) == Firing {
			n++
		}
	}
	return n
}

// Firing returns the open alerts, firing first, each with whether a silence
// mutes it.
func (r *Router) Firing() []AlertStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	out := make([]AlertStatus, 0, len(r.alerts))
	for fp, a := range r.alerts {
		out = append(out, AlertStatus{Alert: *a, Fingerprint: fp, State: a.StateAt(now), SilencedBy: r.silencedByLocked(a.Labels, now)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].State != out[j].State {
			return out[i].State == Firing
		}
		return out[i].StartsAt.After(out[j].StartsAt)
	})
	return out
}

// AlertStatus is an alert as the API and UI show it.
type AlertStatus struct {
	Alert
	Fingerprint string   `json:"fingerprint"`
	State       State    `json:"state"`
	SilencedBy  []string `json:"silencedBy,omitempty"`
}

// Channel returns the named channel.
func (r *Router) Channel(name string) (Channel, bool) {
	ch, ok := r.channels[name]
	return ch, ok
}

// ChannelNames lists the configured channels in name order.
func (r *Router) ChannelNames() []string {
	names := make([]string, 0, len(r.channels))
	for n := range r.channels {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// WaitIdle blocks until no delivery is under way. Tests use it after moving
// a fake clock; it does not stop new deliveries from starting.
func (r *Router) WaitIdle() { r.deliveries.Wait() }
