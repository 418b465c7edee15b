package schedule

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// JobStatus is one job's state for the UI, the API and the CLI. The Last*
// fields and Runs come from the shared table, so they cover every instance;
// Running and Next are this instance's view.
type JobStatus struct {
	Name     string
	Schedule string // e.g. "every 30s" or "0 3 * * *"
	// Next is the slot this instance has armed, or the schedule's next slot
	// if the scheduler is not started.
	Next    time.Time
	Running bool // a run is in progress on this instance

	LastSlot     time.Time // latest slot claimed by any instance; zero if none
	LastStarted  time.Time
	LastFinished time.Time
	LastDuration time.Duration
	LastError    string // empty if the last run succeeded
	Runs         int64
	Owner        string // the instance that started the last run
}

// Status lists the registered jobs, by name, with their last run and next
// slot.
func (s *Scheduler) Status(ctx context.Context) ([]JobStatus, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, last_slot, last_started_at, last_finished_at,
		last_error, last_duration_ms, runs, owner FROM schedule_jobs`)
	if err != nil {
		return nil, fmt.Errorf("schedule: status: %w", err)
	}
	defer rows.Close()
	stored := map[string]JobStatus{}
	for rows.Next() {
		var (
			st                          JobStatus
			slot, runs                  int64
			started, finished, duration sql.NullInt64
			lastErr, owner              sql.NullString
		)
		if err := rows.Scan(&st.Name, &slot, &started, &finished, &lastErr, &duration, &runs, &owner); err != nil {
			return nil, fmt.Errorf("schedule: status: %w", err)
		}
		st.LastSlot = fromMS(sql.NullInt64{Int64: slot, Valid: slot > 0})
		st.LastStarted = fromMS(started)
		st.LastFinished = fromMS(finished)
		st.LastDuration = time.Duration(duration.Int64) * time.Millisecond
		st.LastError = lastErr.String
		st.Runs = runs
		st.Owner = owner.String
		stored[st.Name] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("schedule: status: %w", err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := make([]JobStatus, 0, len(s.jobs))
	for _, name := range s.namesLocked() {
		e := s.jobs[name]
		st := stored[name] // jobs that never ran have no row yet
		st.Name = name
		st.Schedule = fmt.Sprint(e.job.Schedule)
		st.Running = e.running > 0
		st.Next = e.next
		if !s.started || s.stopped {
			st.Next = e.job.Schedule.Next(now)
		}
		out = append(out, st)
	}
	return out, nil
}

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}
