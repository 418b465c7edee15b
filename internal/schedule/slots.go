package schedule

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"time"

	"github.com/wardenhq/warden/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the schedule_jobs table; apply it before Start.
var Migrations = store.MigrationSet{Component: "schedule", FS: mustSub(migrationFiles, "migrations")}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a literal embedded above
	}
	return sub
}

// ensureRow creates the job's row if it is missing. Both engines accept
// ON CONFLICT DO NOTHING, so two instances adding the same job never fail.
// Rows are never deleted, so each entry needs this once.
func (s *Scheduler) ensureRow(ctx context.Context, e *entry) error {
	if e.hasRow.Load() {
		return nil
	}
	_, err := s.db.ExecContext(ctx,
		"INSERT INTO schedule_jobs (name, last_slot, runs) VALUES (?, 0, 0) ON CONFLICT (name) DO NOTHING", e.job.Name)
	if err == nil {
		e.hasRow.Store(true)
	}
	return err
}

// claim moves the job's last_slot forward to slot. It reports whether this
// instance won the slot: the database serialises the conditional UPDATEs,
// so of all the instances that try, exactly one sees a row change.
func (s *Scheduler) claim(ctx context.Context, e *entry, slot time.Time) (bool, error) {
	name := e.job.Name
	if err := s.ensureRow(ctx, e); err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx,
		"UPDATE schedule_jobs SET last_slot = ? WHERE name = ? AND last_slot < ?",
		slot.UnixMilli(), name, slot.UnixMilli())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// markStarted records that this instance began a run.
func (s *Scheduler) markStarted(ctx context.Context, e *entry, at time.Time) error {
	name := e.job.Name
	if err := s.ensureRow(ctx, e); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx,
		"UPDATE schedule_jobs SET last_started_at = ?, owner = ? WHERE name = ?",
		at.UnixMilli(), s.owner, name)
	return err
}

// markFinished records a run's outcome; last_error is NULL on success so the
// UI can tell "never failed" from "failed with an empty message".
func (s *Scheduler) markFinished(ctx context.Context, name string, at time.Time, took time.Duration, runErr error) error {
	var msg sql.NullString
	if runErr != nil {
		msg = sql.NullString{String: runErr.Error(), Valid: true}
	}
	_, err := s.db.ExecContext(ctx,
		"UPDATE schedule_jobs SET last_finished_at = ?, last_error = ?, last_duration_ms = ?, runs = runs + 1 WHERE name = ?",
		at.UnixMilli(), msg, took.Milliseconds(), name)
	return err
}

// lastSlots returns each job's last claimed slot; jobs that never ran are
// absent.
func (s *Scheduler) lastSlots(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name, last_slot FROM schedule_jobs WHERE last_slot > 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var name string
		var ms int64
		if err := rows.Scan(&name, &ms); err != nil {
			return nil, err
		}
		out[name] = time.UnixMilli(ms).UTC()
	}
	return out, rows.Err()
}
