// Package uptimesql stores uptime results, rollups, check state and
// incidents in Warden's SQLite or PostgreSQL database.
package uptimesql

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/uptime"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the uptime tables.
var Migrations = store.Migrations("uptime", migrationFiles, "migrations")

// Store implements uptime.Store.
type Store struct{ db *store.DB }

// New returns a Store on db, which must have Migrations applied.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ uptime.Store = (*Store)(nil)

var ms, fromMS = store.Millis, store.FromMillis

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Record implements uptime.Store.
func (s *Store) Record(ctx context.Context, check string, apply func(st *uptime.State) uptime.Record) (uptime.State, int64, error) {
	var id int64
	var st uptime.State
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		lock := ""
		if s.db.Dialect == store.Postgres {
			lock = " FOR UPDATE" // SQLite's immediate transactions already hold the write lock
		}
		var err error
		if st, err = readState(ctx, tx, check, lock); err != nil {
			return err
		}
		rec := apply(&st)
		r := rec.Result
		if _, err := tx.ExecContext(ctx, `INSERT INTO uptime_results (check_name, at, ok, status, latency_us, error, maintenance)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Check, ms(r.At), boolInt(r.OK), r.Status, r.Latency.Microseconds(), r.Error, boolInt(r.Maintenance)); err != nil {
			return fmt.Errorf("insert result: %w", err)
		}
		for _, p := range []struct {
			period string
			start  time.Time
		}{{uptime.Hour, r.At.UTC().Truncate(time.Hour)}, {uptime.Day, r.At.UTC().Truncate(24 * time.Hour)}} {
			if err := addRollup(ctx, tx, r, p.period, p.start); err != nil {
				return err
			}
		}
		if rec.Open != nil {
			inc := rec.Open
			if err := tx.QueryRowContext(ctx, `INSERT INTO uptime_incidents (check_name, first_fail_at, detected_at, recovered_at, resolved_at, cause)
				VALUES (?, ?, ?, 0, 0, ?) RETURNING id`, inc.Check, ms(inc.FirstFailAt), ms(inc.DetectedAt), inc.Cause).Scan(&id); err != nil {
				return fmt.Errorf("open incident: %w", err)
			}
			st.IncidentID = id
		}
		if rec.Close != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE uptime_incidents SET recovered_at = ?, resolved_at = ? WHERE id = ?`,
				ms(rec.Close.RecoveredAt), ms(rec.Close.ResolvedAt), rec.Close.ID); err != nil {
				return fmt.Errorf("resolve incident: %w", err)
			}
		}
		return putState(ctx, tx, st)
	})
	return st, id, err
}

func readState(ctx context.Context, tx *store.Tx, check, lock string) (uptime.State, error) {
	var data string
	err := tx.QueryRowContext(ctx, `SELECT data FROM uptime_state WHERE check_name = ?`+lock, check).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return uptime.State{Check: check}, nil
	}
	if err != nil {
		return uptime.State{}, fmt.Errorf("read state: %w", err)
	}
	var st uptime.State
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		return uptime.State{}, fmt.Errorf("state of %s: %w", check, err)
	}
	return st, nil
}

func addRollup(ctx context.Context, tx *store.Tx, r uptime.Result, period string, start time.Time) error {
	var passed, failed, maint int
	var lat int64
	switch {
	case r.Maintenance:
		maint = 1
	case r.OK:
		passed, lat = 1, r.Latency.Microseconds()
	default:
		failed, lat = 1, r.Latency.Microseconds()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO uptime_rollups (check_name, period, start, passed, failed, maintenance, latency_sum_us, latency_max_us)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (check_name, period, start) DO UPDATE SET
		passed = uptime_rollups.passed + excluded.passed,
		failed = uptime_rollups.failed + excluded.failed,
		maintenance = uptime_rollups.maintenance + excluded.maintenance,
		latency_sum_us = uptime_rollups.latency_sum_us + excluded.latency_sum_us,
		latency_max_us = CASE WHEN excluded.latency_max_us > uptime_rollups.latency_max_us
			THEN excluded.latency_max_us ELSE uptime_rollups.latency_max_us END`,
		r.Check, period, ms(start), passed, failed, maint, lat, lat)
	if err != nil {
		return fmt.Errorf("add rollup: %w", err)
	}
	return nil
}

func putState(ctx context.Context, tx *store.Tx, st uptime.State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO uptime_state (check_name, data) VALUES (?, ?)
		ON CONFLICT (check_name) DO UPDATE SET data = excluded.data`, st.Check, string(b))
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// State implements uptime.Store.
func (s *Store) State(ctx context.Context, check string) (uptime.State, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM uptime_state WHERE check_name = ?`, check).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return uptime.State{Check: check}, nil
	}
	if err != nil {
		return uptime.State{}, err
	}
	var st uptime.State
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		return uptime.State{}, fmt.Errorf("state of %s: %w", check, err)
	}
	return st, nil
}

// SetAlerted implements uptime.Store.
func (s *Store) SetAlerted(ctx context.Context, check, alerted string) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var data string
		if err := tx.QueryRowContext(ctx, `SELECT data FROM uptime_state WHERE check_name = ?`, check).Scan(&data); err != nil {
			return err
		}
		var st uptime.State
		if err := json.Unmarshal([]byte(data), &st); err != nil {
			return err
		}
		st.Alerted = alerted
		return putState(ctx, tx, st)
	})
}

// Results implements uptime.Store: newest first.
func (s *Store) Results(ctx context.Context, check string, from, to time.Time, limit int) ([]uptime.Result, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, check_name, at, ok, status, latency_us, error, maintenance FROM uptime_results
		WHERE check_name = ? AND at >= ? AND at < ? ORDER BY at DESC, id DESC LIMIT ?`, check, ms(from), ms(to), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []uptime.Result{}
	for rows.Next() {
		var r uptime.Result
		var at, lat int64
		var ok, maint int
		if err := rows.Scan(&r.ID, &r.Check, &at, &ok, &r.Status, &lat, &r.Error, &maint); err != nil {
			return nil, err
		}
		r.At, r.OK, r.Latency, r.Maintenance = fromMS(at), ok == 1, time.Duration(lat)*time.Microsecond, maint == 1
		out = append(out, r)
	}
	return out, rows.Err()
}

// Latencies implements uptime.Store.
func (s *Store) Latencies(ctx context.Context, check string, from, to time.Time) ([]time.Duration, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT latency_us FROM uptime_results
		WHERE check_name = ? AND at >= ? AND at < ? AND maintenance = 0 ORDER BY latency_us`, check, ms(from), ms(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var us int64
		if err := rows.Scan(&us); err != nil {
			return nil, err
		}
		out = append(out, time.Duration(us)*time.Microsecond)
	}
	return out, rows.Err()
}

// Rollups implements uptime.Store: oldest first.
func (s *Store) Rollups(ctx context.Context, check, period string, from, to time.Time) ([]uptime.Rollup, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT check_name, start, passed, failed, maintenance, latency_sum_us, latency_max_us FROM uptime_rollups
		WHERE check_name = ? AND period = ? AND start >= ? AND start < ? ORDER BY start`, check, period, ms(from), ms(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []uptime.Rollup
	for rows.Next() {
		var r uptime.Rollup
		var start, sum, mx int64
		if err := rows.Scan(&r.Check, &start, &r.Passed, &r.Failed, &r.Maintenance, &sum, &mx); err != nil {
			return nil, err
		}
		r.Start, r.LatencySum, r.LatencyMax = fromMS(start), time.Duration(sum)*time.Microsecond, time.Duration(mx)*time.Microsecond
		out = append(out, r)
	}
	return out, rows.Err()
}

const incidentCols = `id, check_name, first_fail_at, detected_at, recovered_at, resolved_at, cause`

func scanIncident(sc interface{ Scan(...any) error }) (uptime.Incident, error) {
	var i uptime.Incident
	var first, det, rec, res int64
	err := sc.Scan(&i.ID, &i.Check, &first, &det, &rec, &res, &i.Cause)
	i.FirstFailAt, i.DetectedAt, i.RecoveredAt, i.ResolvedAt = fromMS(first), fromMS(det), fromMS(rec), fromMS(res)
	return i, err
}

// Incidents implements uptime.Store: newest first, without notes.
func (s *Store) Incidents(ctx context.Context, f uptime.IncidentFilter) ([]uptime.Incident, error) {
	q := `SELECT ` + incidentCols + ` FROM uptime_incidents WHERE (resolved_at = 0 OR resolved_at >= ?)`
	args := []any{ms(f.Since)}
	if f.Check != "" {
		q += ` AND check_name = ?`
		args = append(args, f.Check)
	}
	if f.OpenOnly {
		q += ` AND resolved_at = 0`
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += ` ORDER BY detected_at DESC, id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []uptime.Incident{}
	for rows.Next() {
		i, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// Incident implements uptime.Store, with notes.
func (s *Store) Incident(ctx context.Context, id int64) (uptime.Incident, error) {
	i, err := scanIncident(s.db.QueryRowContext(ctx, `SELECT `+incidentCols+` FROM uptime_incidents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return i, fmt.Errorf("incident %d: %w", id, uptime.ErrNotFound)
	}
	if err != nil {
		return i, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT at, author, text FROM uptime_notes WHERE incident_id = ? ORDER BY at, id`, id)
	if err != nil {
		return i, err
	}
	defer rows.Close()
	for rows.Next() {
		var n uptime.Note
		var at int64
		if err := rows.Scan(&at, &n.Author, &n.Text); err != nil {
			return i, err
		}
		n.At = fromMS(at)
		i.Notes = append(i.Notes, n)
	}
	return i, rows.Err()
}

// AddNote implements uptime.Store.
func (s *Store) AddNote(ctx context.Context, id int64, n uptime.Note) error {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM uptime_incidents WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("incident %d: %w", id, uptime.ErrNotFound)
	}
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO uptime_notes (incident_id, at, author, text) VALUES (?, ?, ?, ?)`, id, ms(n.At), n.Author, n.Text)
	return err
}

// Prune implements uptime.Store.
func (s *Store) Prune(ctx context.Context, resultsBefore, rollupsBefore time.Time) (int64, error) {
	var total int64
	for _, q := range []struct {
		sql string
		at  time.Time
	}{
		{`DELETE FROM uptime_results WHERE at < ?`, resultsBefore},
		{`DELETE FROM uptime_rollups WHERE start < ?`, rollupsBefore},
	} {
		res, err := s.db.ExecContext(ctx, q.sql, ms(q.at))
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
