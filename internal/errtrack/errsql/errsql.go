// Package errsql stores error tracking's issues and events in Warden's
// SQLite or PostgreSQL database.
package errsql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the issue and event tables.
var Migrations = store.Migrations("errors", migrationFiles, "migrations")

// Store implements errtrack.Store.
type Store struct {
	db *store.DB
	// prepared holds the writer's statements, prepared once (query text
	// -> *sql.Stmt): SQLite would otherwise parse each one for every event.
	prepared sync.Map
}

// New returns a Store on db, which must have Migrations applied.
func New(db *store.DB) *Store { return &Store{db: db} }

// stmt returns query (with ? placeholders) prepared once on the database
// and bound to tx, cached in b for the rest of the transaction.
func (s *Store) stmt(ctx context.Context, tx *store.Tx, b *batch, query string) (*sql.Stmt, error) {
	if st, ok := b.stmts[query]; ok {
		return st, nil
	}
	var parent *sql.Stmt
	if p, ok := s.prepared.Load(query); ok {
		parent = p.(*sql.Stmt)
	} else {
		p, err := s.db.DB.PrepareContext(ctx, s.db.Rebind(query))
		if err != nil {
			return nil, err
		}
		if old, loaded := s.prepared.LoadOrStore(query, p); loaded {
			p.Close()
			p = old.(*sql.Stmt)
		}
		parent = p
	}
	st := tx.Tx.StmtContext(ctx, parent)
	b.stmts[query] = st
	return st, nil
}

func (s *Store) exec(ctx context.Context, tx *store.Tx, b *batch, query string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, tx, b, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (s *Store) queryRow(ctx context.Context, tx *store.Tx, b *batch, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, tx, b, query)
	if err != nil {
		// Preparing failed: run it unprepared, which reports the
		// error from Scan (or succeeds).
		return tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

var _ errtrack.Store = (*Store)(nil)

var ms, fromMS = store.Millis, store.FromMillis

// greatest is the two-argument maximum in the engine's spelling.
func (s *Store) greatest(a, b string) string {
	if s.db.Dialect == store.Postgres {
		return "GREATEST(" + a + ", " + b + ")"
	}
	return "MAX(" + a + ", " + b + ")"
}

// SaveEvents implements errtrack.Store: each event is stored under its
// issue (created on first sight), counted, tagged, and reopens its issue
// when that was resolved. An event id seen before is not stored twice, so
// an SDK's retry does not double-count. Counters and tags are added up
// over the batch and written once per issue and tag value.
func (s *Store) SaveEvents(ctx context.Context, evs []*errtrack.Event) ([]errtrack.SaveResult, error) {
	out := make([]errtrack.SaveResult, len(evs))
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		b := &batch{issues: map[int64]*issueDelta{}, tags: map[tagKey]int64{}, stmts: map[string]*sql.Stmt{}}
		for i, ev := range evs {
			r, err := s.saveOne(ctx, tx, ev, b)
			if err != nil {
				return fmt.Errorf("save event %s: %w", ev.ID, err)
			}
			out[i] = r
		}
		return s.flush(ctx, tx, b)
	})
	return out, err
}

// batch adds up what a batch of events does to issue counters and tags.
type batch struct {
	order  []int64
	issues map[int64]*issueDelta
	tags   map[tagKey]int64
	keys   []tagKey
	stmts  map[string]*sql.Stmt
}

type issueDelta struct {
	count, users int64
	lastSeen     int64
	lastEvent    string
	level        string
}

type tagKey struct {
	issue      int64
	key, value string
}

func (s *Store) saveOne(ctx context.Context, tx *store.Tx, ev *errtrack.Event, b *batch) (errtrack.SaveResult, error) {
	var r errtrack.SaveResult
	err := s.queryRow(ctx, tx, b, `SELECT e.issue_id, i.status FROM err_events e JOIN err_issues i ON i.id = e.issue_id
		WHERE e.project_id = ? AND e.event_id = ?`, ev.ProjectID, ev.ID).Scan(&r.IssueID, &r.Status)
	if err == nil {
		return r, nil // a retry of an event already stored
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return r, err
	}
	seen := ms(ev.Received)
	// Most events belong to an issue that exists: look it up first and
	// insert only when it is missing (ON CONFLICT covers another instance
	// inserting it in between).
	var resolvedIn string
	err = s.findIssue(ctx, tx, b, ev, &r, &resolvedIn)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		res, err = s.exec(ctx, tx, b, `INSERT INTO err_issues
		(project_id, hash, title, culprit, level, platform, status, first_seen, last_seen, group_method)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, hash) DO NOTHING`,
			ev.ProjectID, ev.GroupHash, ev.Title, errtrack.Culprit(ev), ev.Level, ev.Platform, errtrack.StatusUnresolved, seen, seen, ev.GroupMethod)
		if err != nil {
			return r, err
		}
		n, _ := res.RowsAffected()
		r.New = n == 1
		err = s.findIssue(ctx, tx, b, ev, &r, &resolvedIn)
	}
	if err != nil {
		return r, err
	}
	if r.Status == errtrack.StatusResolved {
		r.Regressed, err = s.regresses(ctx, tx, r.IssueID, resolvedIn, ev.Release, b)
		if err != nil {
			return r, err
		}
		if r.Regressed {
			// Reopen only if the issue is still resolved as it was read:
			// two instances on one PostgreSQL may both have read it
			// resolved, and the row lock makes the second UPDATE wait for
			// the first and then match nothing, so exactly one of them
			// reports (and alerts on) the regression.
			res, err := s.exec(ctx, tx, b, `UPDATE err_issues SET status = ?, resolved_in_release = '', regressed_at = ?
				WHERE id = ? AND status = ? AND resolved_in_release = ?`,
				errtrack.StatusUnresolved, seen, r.IssueID, errtrack.StatusResolved, resolvedIn)
			if err != nil {
				return r, err
			}
			if n, err := res.RowsAffected(); err != nil {
				return r, err
			} else if n == 1 {
				r.Status = errtrack.StatusUnresolved
			} else {
				// Someone else changed it first: report the status it has now.
				r.Regressed = false
				if err := s.findIssue(ctx, tx, b, ev, &r, &resolvedIn); err != nil {
					return r, err
				}
			}
		}
	}
	payload := ev.Stored
	if payload == nil {
		payload = errtrack.EncodePayload(ev.Raw)
	}
	if _, err := s.exec(ctx, tx, b, `INSERT INTO err_events
		(project_id, event_id, issue_id, ts, received, level, release, environment, title, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.ProjectID, ev.ID, r.IssueID, ms(ev.Timestamp), seen, ev.Level, ev.Release, ev.Environment, ev.Title, payload); err != nil {
		return r, err
	}
	d := b.issues[r.IssueID]
	if d == nil {
		d = &issueDelta{}
		b.issues[r.IssueID] = d
		b.order = append(b.order, r.IssueID)
	}
	if u := ev.User.Key(); u != "" {
		res, err := s.exec(ctx, tx, b, `INSERT INTO err_issue_users (issue_id, user_key) VALUES (?, ?) ON CONFLICT DO NOTHING`, r.IssueID, u)
		if err != nil {
			return r, err
		}
		n, _ := res.RowsAffected()
		d.users += n
	}
	d.count++
	d.lastSeen = max(d.lastSeen, seen)
	d.lastEvent, d.level = ev.ID, ev.Level
	for _, k := range sortedKeys(ev.Tags) {
		tk := tagKey{r.IssueID, k, ev.Tags[k]}
		if _, ok := b.tags[tk]; !ok {
			b.keys = append(b.keys, tk)
		}
		b.tags[tk]++
	}
	return r, nil
}

func (s *Store) findIssue(ctx context.Context, tx *store.Tx, b *batch, ev *errtrack.Event, r *errtrack.SaveResult, resolvedIn *string) error {
	return s.queryRow(ctx, tx, b, `SELECT id, status, resolved_in_release FROM err_issues WHERE project_id = ? AND hash = ?`,
		ev.ProjectID, ev.GroupHash).Scan(&r.IssueID, &r.Status, resolvedIn)
}

// flush writes a batch's counters and tags, in a fixed order so that two
// instances writing to one PostgreSQL take row locks in the same order.
func (s *Store) flush(ctx context.Context, tx *store.Tx, b *batch) error {
	sort.Slice(b.order, func(i, j int) bool { return b.order[i] < b.order[j] })
	for _, id := range b.order {
		d := b.issues[id]
		if _, err := s.exec(ctx, tx, b, `UPDATE err_issues SET times_seen = times_seen + ?, users = users + ?, last_seen = `+
			s.greatest("last_seen", "?")+`, last_event_id = ?, level = ? WHERE id = ?`,
			d.count, d.users, d.lastSeen, d.lastEvent, d.level, id); err != nil {
			return err
		}
	}
	sort.Slice(b.keys, func(i, j int) bool {
		a, c := b.keys[i], b.keys[j]
		if a.issue != c.issue {
			return a.issue < c.issue
		}
		if a.key != c.key {
			return a.key < c.key
		}
		return a.value < c.value
	})
	for _, tk := range b.keys {
		if _, err := s.exec(ctx, tx, b, `INSERT INTO err_issue_tags (issue_id, key, value, count) VALUES (?, ?, ?, ?)
			ON CONFLICT (issue_id, key, value) DO UPDATE SET count = err_issue_tags.count + excluded.count`, tk.issue, tk.key, tk.value, b.tags[tk]); err != nil {
			return err
		}
	}
	return nil
}

// regresses decides whether an event reopens a resolved issue. Resolved
// outright, any event does. Resolved in a release, only an event of that
// release or of a release the issue had not seen before (a newer deploy):
// old releases still running keep failing as they did.
func (s *Store) regresses(ctx context.Context, tx *store.Tx, issueID int64, resolvedIn, release string, b *batch) (bool, error) {
	if resolvedIn == "" || release == resolvedIn {
		return true, nil
	}
	if release == "" || b.tags[tagKey{issueID, "release", release}] > 0 {
		return false, nil
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM err_issue_tags WHERE issue_id = ? AND key = 'release' AND value = ?`, issueID, release).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return false, err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

const issueColumns = `id, project_id, hash, title, culprit, level, platform, status, resolved_in_release,
	first_seen, last_seen, times_seen, users, regressed_at, last_event_id, group_method`

func scanIssue(sc interface{ Scan(...any) error }) (errtrack.Issue, error) {
	var i errtrack.Issue
	var first, last, regressed int64
	err := sc.Scan(&i.ID, &i.ProjectID, &i.Hash, &i.Title, &i.Culprit, &i.Level, &i.Platform, &i.Status, &i.ResolvedInRelease,
		&first, &last, &i.Count, &i.Users, &regressed, &i.LastEventID, &i.GroupMethod)
	i.FirstSeen, i.LastSeen = fromMS(first), fromMS(last)
	if regressed != 0 {
		i.RegressedAt = fromMS(regressed)
	}
	return i, err
}

// ListIssues implements errtrack.Store, most recently seen first.
func (s *Store) ListIssues(ctx context.Context, f errtrack.IssueFilter) ([]errtrack.Issue, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.ProjectID != 0 {
		add("project_id = ?", f.ProjectID)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Level != "" {
		add("level = ?", f.Level)
	}
	if f.Environment != "" {
		add("id IN (SELECT issue_id FROM err_issue_tags WHERE key = 'environment' AND value = ?)", f.Environment)
	}
	if f.Release != "" {
		add("id IN (SELECT issue_id FROM err_issue_tags WHERE key = 'release' AND value = ?)", f.Release)
	}
	if f.Query != "" {
		q := "%" + strings.ToLower(f.Query) + "%"
		add("(LOWER(title) LIKE ? OR LOWER(culprit) LIKE ?)", q, q)
	}
	query := "SELECT " + issueColumns + " FROM err_issues"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	query += " ORDER BY last_seen DESC, id DESC LIMIT ? OFFSET ?"
	rows, err := s.db.QueryContext(ctx, query, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []errtrack.Issue{}
	for rows.Next() {
		i, err := scanIssue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// GetIssue implements errtrack.Store, with the top five values of each tag.
func (s *Store) GetIssue(ctx context.Context, id int64) (errtrack.Issue, error) {
	i, err := scanIssue(s.db.QueryRowContext(ctx, "SELECT "+issueColumns+" FROM err_issues WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return i, errtrack.ErrNotFound
	}
	if err != nil {
		return i, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT key, value, count FROM err_issue_tags WHERE issue_id = ? ORDER BY key, count DESC, value`, id)
	if err != nil {
		return i, err
	}
	defer rows.Close()
	for rows.Next() {
		var v errtrack.TagValue
		var key string
		if err := rows.Scan(&key, &v.Value, &v.Count); err != nil {
			return i, err
		}
		if n := len(i.Tags); n == 0 || i.Tags[n-1].Key != key {
			i.Tags = append(i.Tags, errtrack.TagStat{Key: key})
		}
		if t := &i.Tags[len(i.Tags)-1]; len(t.Values) < 5 {
			t.Values = append(t.Values, v)
		}
	}
	return i, rows.Err()
}

const eventColumns = `event_id, issue_id, project_id, ts, received, level, release, environment, title, payload`

func scanEvent(sc interface{ Scan(...any) error }) (errtrack.StoredEvent, error) {
	var e errtrack.StoredEvent
	var ts, rec int64
	err := sc.Scan(&e.ID, &e.IssueID, &e.ProjectID, &ts, &rec, &e.Level, &e.Release, &e.Environment, &e.Title, &e.Payload)
	e.Timestamp, e.Received = fromMS(ts), fromMS(rec)
	if err != nil {
		return e, err
	}
	e.Payload, err = errtrack.DecodePayload(e.Payload)
	return e, err
}

// IssueEvents implements errtrack.Store, newest first.
func (s *Store) IssueEvents(ctx context.Context, issueID int64, limit int) ([]errtrack.StoredEvent, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+eventColumns+" FROM err_events WHERE issue_id = ? ORDER BY received DESC, event_id LIMIT ?", issueID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []errtrack.StoredEvent{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// GetEvent implements errtrack.Store.
func (s *Store) GetEvent(ctx context.Context, issueID int64, eventID string) (errtrack.StoredEvent, error) {
	e, err := scanEvent(s.db.QueryRowContext(ctx, "SELECT "+eventColumns+" FROM err_events WHERE issue_id = ? AND event_id = ?", issueID, eventID))
	if errors.Is(err, sql.ErrNoRows) {
		return e, errtrack.ErrNotFound
	}
	return e, err
}

// UpdateStatus implements errtrack.Store.
func (s *Store) UpdateStatus(ctx context.Context, id int64, ch errtrack.StatusChange) (errtrack.Issue, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE err_issues SET status = ?, resolved_in_release = ? WHERE id = ?`, ch.Status, ch.ResolvedInRelease, id)
	if err != nil {
		return errtrack.Issue{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errtrack.Issue{}, errtrack.ErrNotFound
	}
	return s.GetIssue(ctx, id)
}

// CountSince implements errtrack.Store.
func (s *Store) CountSince(ctx context.Context, projectID int, issueID int64, since time.Time, environment, minLevel string) (int64, error) {
	q := "SELECT COUNT(*) FROM err_events WHERE project_id = ? AND received >= ?"
	args := []any{projectID, ms(since)}
	if issueID > 0 {
		q += " AND issue_id = ?"
		args = append(args, issueID)
	}
	if environment != "" {
		q += " AND environment = ?"
		args = append(args, environment)
	}
	if levels := levelsAtLeast(minLevel); levels != nil {
		q += " AND level IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(levels)), ", ") + ")"
		for _, l := range levels {
			args = append(args, l)
		}
	}
	var n int64
	err := s.db.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

func levelsAtLeast(min string) []string {
	if min == "" {
		return nil
	}
	var out []string
	for _, l := range []string{"debug", "info", "warning", "error", "fatal"} {
		if errtrack.LevelAtLeast(l, min) {
			out = append(out, l)
		}
	}
	return out
}

// HourlyCounts implements errtrack.Store: counts[i] is the hour ending
// hours-1-i hours before now's hour ends.
func (s *Store) HourlyCounts(ctx context.Context, issueIDs []int64, now time.Time, hours int) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(issueIDs) == 0 {
		return out, nil
	}
	end := now.Truncate(time.Hour).Add(time.Hour)
	start := end.Add(-time.Duration(hours) * time.Hour)
	args := []any{ms(start)}
	for _, id := range issueIDs {
		args = append(args, id)
		out[id] = make([]int64, hours)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT issue_id, (received - ?) / 3600000 AS bucket, COUNT(*) FROM err_events
		WHERE received >= ? AND issue_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(issueIDs)), ", ")+`)
		GROUP BY issue_id, bucket`, append([]any{ms(start)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, bucket, n int64
		if err := rows.Scan(&id, &bucket, &n); err != nil {
			return nil, err
		}
		if bucket >= 0 && bucket < int64(hours) {
			out[id][bucket] = n
		}
	}
	return out, rows.Err()
}

// DeleteEventsBefore implements errtrack.Store; issues and their counts stay.
func (s *Store) DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM err_events WHERE received < ?", ms(t))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
