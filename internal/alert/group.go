package alert

import (
	"context"
	"sort"
	"time"

	"github.com/wardenhq/warden/internal/clock"
)

// group is an aggregation group: the alerts of one route with equal group
// labels, notified together.
type group struct {
	key       string
	route     *Route
	labels    Labels
	members   map[string]bool // fingerprints
	nextFlush time.Time
	createdAt time.Time
	timer     clock.Timer
	inflight  map[string]bool // channels with a delivery under way
}

// addToGroupLocked puts alert a into its group on route rt, creating the
// group (and arming group_wait) if needed. stored holds deadlines loaded at
// start, so a restart keeps the timer where it was.
func (r *Router) addToGroupLocked(ctx context.Context, rt *Route, a *Alert, now time.Time, stored map[string]GroupState) {
	gl := rt.groupLabels(a.Labels)
	key := rt.groupKey(gl)
	g, ok := r.groups[key]
	if ok {
		g.members[a.Fingerprint()] = true
		return
	}
	g = &group{key: key, route: rt, labels: gl, members: map[string]bool{a.Fingerprint(): true}, createdAt: now, inflight: map[string]bool{}}
	if st, ok := stored[key]; ok {
		g.nextFlush, g.createdAt = st.NextFlush, st.CreatedAt
	} else {
		g.nextFlush = now.Add(rt.GroupWait)
		// An alert that started longer ago than group_wait (Alertmanager's
		// rule) has waited enough: flush at once.
		if a.StartsAt.Add(rt.GroupWait).Before(now) {
			g.nextFlush = now
		}
		r.saveGroupLocked(ctx, g)
	}
	r.groups[key] = g
	// Only the leader arms timers; a follower has stored the group for it.
	if r.started {
		r.armLocked(g, now)
	}
}

func (r *Router) saveGroupLocked(ctx context.Context, g *group) {
	err := r.opts.Store.SaveGroup(ctx, GroupState{Key: g.key, RouteID: g.route.ID, Labels: g.labels, NextFlush: g.nextFlush, CreatedAt: g.createdAt})
	if err != nil {
		r.opts.Logger.Error("alert router: save group", "group", g.key, "error", err)
	}
}

func (r *Router) armLocked(g *group, now time.Time) {
	if g.timer != nil {
		g.timer.Stop()
	}
	wait := g.nextFlush.Sub(now)
	if wait < 0 {
		wait = 0
	}
	key := g.key
	g.timer = r.opts.Clock.AfterFunc(wait, func() { r.flush(key) })
}

// flush is a group's timer firing: work out, per channel, whether anything
// changed since the channel was last told (or a repeat is due), send if so,
// drop resolved alerts from the group and re-arm for group_interval.
func (r *Router) flush(key string) {
	ctx := r.ctx
	r.mu.Lock()
	defer r.mu.Unlock()
	g, ok := r.groups[key]
	if !ok || !r.started {
		return
	}
	now := r.now()
	var firing, resolved []Alert
	for fp := range g.members {
		a, ok := r.alerts[fp]
		if !ok {
			delete(g.members, fp)
			continue
		}
		if len(r.silencedByLocked(a.Labels, now)) > 0 {
			continue
		}
		if a.StateAt(now) == Firing {
			firing = append(firing, *a)
		} else {
			resolved = append(resolved, *a)
		}
	}
	sortAlerts(firing)
	sortAlerts(resolved)
	for _, name := range g.route.Channels {
		r.maybeNotifyLocked(g, name, firing, resolved, now)
	}

	// Resolved alerts have now been handed to the channels: they leave the
	// group, and once in no group they are closed.
	var closed []string
	for fp := range g.members {
		if a := r.alerts[fp]; a != nil && a.StateAt(now) == Resolved {
			delete(g.members, fp)
			if !r.inAnyGroupLocked(fp) {
				closed = append(closed, fp)
				delete(r.alerts, fp)
			}
		}
	}
	if len(closed) > 0 {
		if err := r.opts.Store.CloseAlerts(ctx, closed); err != nil {
			r.opts.Logger.Error("alert router: close alerts", "error", err)
		}
	}
	if len(g.members) == 0 {
		delete(r.groups, key)
		if err := r.opts.Store.DeleteGroup(ctx, key); err != nil {
			r.opts.Logger.Error("alert router: delete group", "group", key, "error", err)
		}
		return
	}
	g.nextFlush = now.Add(g.route.GroupInterval)
	r.saveGroupLocked(ctx, g)
	r.armLocked(g, now)
}

func (r *Router) inAnyGroupLocked(fp string) bool {
	for _, g := range r.groups {
		if g.members[fp] {
			return true
		}
	}
	return false
}

// maybeNotifyLocked applies the notification log to one channel.
func (r *Router) maybeNotifyLocked(g *group, channel string, firing, resolved []Alert, now time.Time) {
	if g.inflight[channel] {
		return // the delivery under way will be followed by the next flush
	}
	sendResolved := r.opts.SendResolved[channel]
	entry, seen := r.nflog[g.key+"\x00"+channel]
	if !needsUpdate(entry, seen, fingerprints(firing), fingerprints(resolved), sendResolved, g.route.RepeatInterval, now) {
		return
	}
	alerts := append([]Alert(nil), firing...)
	if sendResolved {
		alerts = append(alerts, resolved...)
	}
	if len(alerts) == 0 {
		// Everything resolved but this channel does not want resolves: just
		// remember that it has nothing firing.
		r.recordNotifyLocked(NotifyEntry{GroupKey: g.key, Channel: channel, Resolved: fingerprints(resolved), SentAt: now})
		return
	}
	n := r.notification(g, channel, alerts, now)
	entry = NotifyEntry{GroupKey: g.key, Channel: channel, Firing: fingerprints(firing), Resolved: fingerprints(resolved), SentAt: now}
	g.inflight[channel] = true
	r.deliveries.Add(1)
	go func() {
		defer r.deliveries.Done()
		ok := r.deliver(r.ctx, r.channels[channel], n)
		r.mu.Lock()
		defer r.mu.Unlock()
		g.inflight[channel] = false
		if ok {
			r.recordNotifyLocked(entry)
		}
	}()
}

func (r *Router) recordNotifyLocked(e NotifyEntry) {
	r.nflog[e.GroupKey+"\x00"+e.Channel] = e
	if err := r.opts.Store.PutNotifyEntry(r.ctx, e); err != nil {
		r.opts.Logger.Error("alert router: record notification", "group", e.GroupKey, "channel", e.Channel, "error", err)
	}
}

// needsUpdate is Alertmanager's dedup rule: notify when alerts are newly
// firing, when all have resolved, when newly resolved ones should be told
// (send_resolved), or when the repeat interval has passed while firing.
func needsUpdate(entry NotifyEntry, seen bool, firing, resolved []string, sendResolved bool, repeat time.Duration, now time.Time) bool {
	if !seen {
		return len(firing) > 0
	}
	if !isSubset(firing, entry.Firing) {
		return true
	}
	if len(firing) == 0 {
		return len(entry.Firing) > 0
	}
	if sendResolved && !isSubset(resolved, entry.Resolved) {
		return true
	}
	return !now.Before(entry.SentAt.Add(repeat))
}

func isSubset(a, b []string) bool {
	set := make(map[string]bool, len(b))
	for _, x := range b {
		set[x] = true
	}
	for _, x := range a {
		if !set[x] {
			return false
		}
	}
	return true
}

func fingerprints(alerts []Alert) []string {
	out := make([]string, len(alerts))
	for i := range alerts {
		out[i] = alerts[i].Fingerprint()
	}
	return out
}

func sortAlerts(alerts []Alert) {
	sort.Slice(alerts, func(i, j int) bool { return alerts[i].Fingerprint() < alerts[j].Fingerprint() })
}

// notification builds what a channel is sent for a group.
func (r *Router) notification(g *group, channel string, alerts []Alert, now time.Time) *Notification {
	n := &Notification{
		Receiver: channel, GroupKey: g.key, Status: Resolved, GroupLabels: g.labels.Clone(),
		Alerts: alerts, ExternalURL: r.opts.ExternalURL, Now: now,
	}
	for _, a := range alerts {
		if a.StateAt(now) == Firing {
			n.Status = Firing
		}
	}
	n.CommonLabels = common(alerts, func(a Alert) Labels { return a.Labels })
	n.CommonAnnotations = common(alerts, func(a Alert) Labels { return a.Annotations })
	return n
}

func common(alerts []Alert, get func(Alert) Labels) Labels {
	out := Labels{}
	if len(alerts) == 0 {
		return out
	}
	for k, v := range get(alerts[0]) {
		out[k] = v
	}
	for _, a := range alerts[1:] {
		l := get(a)
		for k, v := range out {
			if l[k] != v {
				delete(out, k)
			}
		}
	}
	return out
}
