// Package schedule runs Warden's periodic work (uptime checks, log alarms,
// backups, retention). Each part registers a Job with a Schedule; the
// Scheduler arms a clock timer for the job's next slot and, when several
// Warden instances share one PostgreSQL database, lets exactly one of them
// run each slot.
//
// A slot is a point in time a schedule names. Slots are computed from the
// schedule alone (never from when an instance started), so every instance
// agrees on them, and the schedule_jobs table records the latest slot taken:
// an instance runs a slot only if its conditional UPDATE moves last_slot
// forward. A lock held for the length of each run (a PostgreSQL advisory lock,
// or an in-process lock on SQLite) keeps a long run from overlapping the next.
//
// Missed slots are not queued. A slot that falls due while the job is still
// running is skipped; after downtime only the latest missed slot runs, once,
// at Start (like cron with a catch-up of one). A slot is claimed before it
// runs, so an instance that dies between the two loses that slot: the
// guarantee is at most once per slot, and exactly once while instances live.
package schedule

import (
	"context"
	"fmt"
	"time"
)

// Schedule names the slots a job runs at.
type Schedule interface {
	// Next returns the first slot strictly after after, or the zero time if
	// there is none.
	Next(after time.Time) time.Time
}

// Every returns a Schedule with a slot at every multiple of d since the Unix
// epoch, so instances started at different times compute the same slots:
// Every(time.Hour) fires on the hour, Every(5*time.Minute) at :00, :05, ...
// It panics if d is below a millisecond, the resolution slots are stored at.
func Every(d time.Duration) Schedule {
	if d < time.Millisecond {
		panic(fmt.Sprintf("schedule.Every(%v): the interval must be at least 1ms", d))
	}
	return every(d)
}

type every time.Duration

func (e every) Next(after time.Time) time.Time {
	d := int64(e)
	n := after.UnixNano()
	floor := n - n%d
	if n%d < 0 { // before the epoch: % truncates towards zero
		floor -= d
	}
	return time.Unix(0, floor+d).UTC()
}

// String describes the schedule for the UI and logs.
func (e every) String() string { return "every " + time.Duration(e).String() }

type slotKey struct{}

// Slot returns the slot the run in ctx was scheduled for. It reports false
// for a run started by RunNow. Jobs that name their output by time (backup
// artifacts, retention cut-offs) should use the slot rather than the clock,
// so the result does not depend on how late the run started.
func Slot(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(slotKey{}).(time.Time)
	return t, ok
}

func withSlot(ctx context.Context, slot time.Time) context.Context {
	return context.WithValue(ctx, slotKey{}, slot)
}

// latestDue returns the latest slot of s in (after, now], or the zero time
// if there is none. It steps back from now in doubling windows so that a
// long downtime costs a few dozen Next calls rather than one per missed slot.
func latestDue(s Schedule, after, now time.Time) time.Time {
	first := s.Next(after)
	if first.IsZero() || first.After(now) {
		return time.Time{}
	}
	from := after
	for w := time.Second; ; w *= 2 {
		p := now.Add(-w)
		if !p.After(after) {
			break
		}
		if n := s.Next(p); !n.IsZero() && !n.After(now) {
			from = p
			break
		}
	}
	var last time.Time
	for t := s.Next(from); !t.IsZero() && !t.After(now); t = s.Next(t) {
		last = t
	}
	return last
}
