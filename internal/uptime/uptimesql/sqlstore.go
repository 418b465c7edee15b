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
	"sort"
	"strings"
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

// Record implements uptime.Store: a batch of one.
func (s *Store) Record(ctx context.Context, check string, apply func(st *uptime.State) uptime.Record) (uptime.State, int64, error) {
	it := &uptime.BatchItem{Check: check, Apply: apply}
	if err := s.RecordBatch(ctx, []*uptime.BatchItem{it}); err != nil {
		return uptime.State{}, 0, err
	}
	return it.State, it.Incident, nil
}

// Rows per multi-row statement: well under SQLite's and PostgreSQL's
// limits on bound parameters.
const rowsPerStatement = 200

// RecordBatch implements uptime.Store. The states of the batch's checks are
// read in one query (locked FOR UPDATE on PostgreSQL, in name order so that
// two instances cannot deadlock; SQLite's immediate transaction already
// holds the write lock), the results, rollups and states are written with
// one multi-row statement each, and the transaction commits once.
func (s *Store) RecordBatch(ctx context.Context, items []*uptime.BatchItem) error {
	if len(items) == 0 {
		return nil
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		states, err := s.lockStates(ctx, tx, items)
		if err != nil {
			return err
		}
		var results []uptime.Result
		rollups := map[rollupKey]*uptime.Rollup{}
		var keys []rollupKey
		for _, it := range items {
			st := states[it.Check]
			rec := it.Apply(&st)
			results = append(results, rec.Result)
			keys = append(keys, addRollups(rollups, rec.Result)...)
			it.Incident = 0
			if inc := rec.Open; inc != nil {
				if err := tx.QueryRowContext(ctx, `INSERT INTO uptime_incidents (check_name, first_fail_at, detected_at, recovered_at, resolved_at, cause)
					VALUES (?, ?, ?, 0, 0, ?) RETURNING id`, inc.Check, ms(inc.FirstFailAt), ms(inc.DetectedAt), inc.Cause).Scan(&it.Incident); err != nil {
					return fmt.Errorf("open incident: %w", err)
				}
				st.IncidentID = it.Incident
			}
			if rec.Close != nil {
				if _, err := tx.ExecContext(ctx, `UPDATE uptime_incidents SET recovered_at = ?, resolved_at = ? WHERE id = ?`,
					ms(rec.Close.RecoveredAt), ms(rec.Close.ResolvedAt), rec.Close.ID); err != nil {
					return fmt.Errorf("resolve incident: %w", err)
				}
			}
			states[it.Check] = st
			it.State = st
		}
		if err := insertResults(ctx, tx, results); err != nil {
			return err
		}
		if err := putRollups(ctx, tx, rollups, keys); err != nil {
			return err
		}
		return putStates(ctx, tx, items, states)
	})
}

// lockStates reads the state of every check in items, locked against
// other instances until the transaction ends.
func (s *Store) lockStates(ctx context.Context, tx *store.Tx, items []*uptime.BatchItem) (map[string]uptime.State, error) {
	var names []string
	states := map[string]uptime.State{}
	for _, it := range items {
		if _, ok := states[it.Check]; !ok {
			states[it.Check] = uptime.State{Check: it.Check}
			names = append(names, it.Check)
		}
	}
	sort.Strings(names)
	found := map[string]bool{}
	if err := s.readStates(ctx, tx, names, states, found); err != nil {
		return nil, err
	}
	if s.db.Dialect == store.Postgres && len(found) < len(names) {
		// FOR UPDATE cannot lock a row that does not exist yet: create the
		// missing ones (an instance that loses the race waits for the
		// winner's commit, then finds the row), and lock them too.
		var missing []string
		for _, n := range names {
			if !found[n] {
				missing = append(missing, n)
			}
		}
		args := make([]any, 0, 2*len(missing))
		for _, n := range missing {
			b, err := json.Marshal(uptime.State{Check: n})
			if err != nil {
				return nil, err
			}
			args = append(args, n, string(b))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO uptime_state (check_name, data) VALUES `+placeholders(len(missing), 2)+
			` ON CONFLICT (check_name) DO NOTHING`, args...); err != nil {
			return nil, fmt.Errorf("create state: %w", err)
		}
		if err := s.readStates(ctx, tx, missing, states, found); err != nil {
			return nil, err
		}
	}
	return states, nil
}

// readStates reads the states of names (sorted) into states and marks
// those it found.
func (s *Store) readStates(ctx context.Context, tx *store.Tx, names []string, states map[string]uptime.State, found map[string]bool) error {
	for len(names) > 0 {
		chunk := names[:min(len(names), rowsPerStatement)]
		names = names[len(chunk):]
		q := `SELECT check_name, data FROM uptime_state WHERE check_name IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ") + `)`
		if s.db.Dialect == store.Postgres {
			q += ` ORDER BY check_name FOR UPDATE`
		}
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("read state: %w", err)
		}
		for rows.Next() {
			var name, data string
			if err := rows.Scan(&name, &data); err != nil {
				rows.Close()
				return fmt.Errorf("read state: %w", err)
			}
			var st uptime.State
			if err := json.Unmarshal([]byte(data), &st); err != nil {
				rows.Close()
				return fmt.Errorf("state of %s: %w", name, err)
			}
			states[name] = st
			found[name] = true
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("read state: %w", err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read state: %w", err)
		}
	}
	return nil
}

// placeholders is n rows of cols ? each: "(?, ?), (?, ?)".
func placeholders(n, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

func insertResults(ctx context.Context, tx *store.Tx, results []uptime.Result) error {
	for len(results) > 0 {
		chunk := results[:min(len(results), rowsPerStatement)]
		results = results[len(chunk):]
		args := make([]any, 0, 7*len(chunk))
		for _, r := range chunk {
			args = append(args, r.Check, ms(r.At), boolInt(r.OK), r.Status, r.Latency.Microseconds(), r.Error, boolInt(r.Maintenance))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO uptime_results (check_name, at, ok, status, latency_us, error, maintenance)
			VALUES `+placeholders(len(chunk), 7), args...); err != nil {
			return fmt.Errorf("insert result: %w", err)
		}
	}
	return nil
}

type rollupKey struct {
	check, period string
	start         int64
}

// addRollups adds r to its hourly and daily rollups in m and returns the
// keys it created. A batch adds its probes up first so that one statement
// touches each rollup row once (PostgreSQL requires it of ON CONFLICT).
func addRollups(m map[rollupKey]*uptime.Rollup, r uptime.Result) []rollupKey {
	var created []rollupKey
	for _, p := range []struct {
		period string
		start  time.Time
	}{{uptime.Hour, r.At.UTC().Truncate(time.Hour)}, {uptime.Day, r.At.UTC().Truncate(24 * time.Hour)}} {
		k := rollupKey{r.Check, p.period, ms(p.start)}
		ru := m[k]
		if ru == nil {
			ru = &uptime.Rollup{Check: r.Check, Start: p.start}
			m[k] = ru
			created = append(created, k)
		}
		switch {
		case r.Maintenance:
			ru.Maintenance++
		case r.OK:
			ru.Passed++
		default:
			ru.Failed++
		}
		if !r.Maintenance { // stored in whole microseconds, as each probe's latency is
			lat := time.Duration(r.Latency.Microseconds()) * time.Microsecond
			ru.LatencySum += lat
			ru.LatencyMax = max(ru.LatencyMax, lat)
		}
	}
	return created
}

func putRollups(ctx context.Context, tx *store.Tx, m map[rollupKey]*uptime.Rollup, keys []rollupKey) error {
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), rowsPerStatement)]
		keys = keys[len(chunk):]
		args := make([]any, 0, 8*len(chunk))
		for _, k := range chunk {
			r := m[k]
			args = append(args, k.check, k.period, k.start, r.Passed, r.Failed, r.Maintenance, r.LatencySum.Microseconds(), r.LatencyMax.Microseconds())
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO uptime_rollups (check_name, period, start, passed, failed, maintenance, latency_sum_us, latency_max_us)
			VALUES `+placeholders(len(chunk), 8)+`
			ON CONFLICT (check_name, period, start) DO UPDATE SET
			passed = uptime_rollups.passed + excluded.passed,
			failed = uptime_rollups.failed + excluded.failed,
			maintenance = uptime_rollups.maintenance + excluded.maintenance,
			latency_sum_us = uptime_rollups.latency_sum_us + excluded.latency_sum_us,
			latency_max_us = CASE WHEN excluded.latency_max_us > uptime_rollups.latency_max_us
				THEN excluded.latency_max_us ELSE uptime_rollups.latency_max_us END`, args...)
		if err != nil {
			return fmt.Errorf("add rollup: %w", err)
		}
	}
	return nil
}

// putStates writes the final state of each check in items once.
func putStates(ctx context.Context, tx *store.Tx, items []*uptime.BatchItem, states map[string]uptime.State) error {
	var names []string
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.Check] {
			seen[it.Check] = true
			names = append(names, it.Check)
		}
	}
	sort.Strings(names)
	for len(names) > 0 {
		chunk := names[:min(len(names), rowsPerStatement)]
		names = names[len(chunk):]
		args := make([]any, 0, 2*len(chunk))
		for _, n := range chunk {
			b, err := json.Marshal(states[n])
			if err != nil {
				return err
			}
			args = append(args, n, string(b))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO uptime_state (check_name, data) VALUES `+placeholders(len(chunk), 2)+`
			ON CONFLICT (check_name) DO UPDATE SET data = excluded.data`, args...); err != nil {
			return fmt.Errorf("save state: %w", err)
		}
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
	lock := ""
	if s.db.Dialect == store.Postgres {
		lock = " FOR UPDATE" // a probe's batch must not overwrite this, nor this the batch
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var data string
		if err := tx.QueryRowContext(ctx, `SELECT data FROM uptime_state WHERE check_name = ?`+lock, check).Scan(&data); err != nil {
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
