// Package alertsql stores the alert router's state in Warden's SQLite or
// PostgreSQL database.
package alertsql

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the router's tables.
var Migrations = store.Migrations("alerts", migrationFiles, "migrations")

// Store implements alert.Store.
type Store struct{ db *store.DB }

// New returns a Store on db, which must have Migrations applied.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ alert.Store = (*Store)(nil)

var ms, fromMS = store.Millis, store.FromMillis

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps and slices of strings are stored
	}
	return string(b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PutAlert implements alert.Store.
func (s *Store) PutAlert(ctx context.Context, a alert.Alert, closed bool) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO alert_alerts
		(fingerprint, labels, annotations, starts_at, ends_at, updated_at, generator_url, closed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (fingerprint) DO UPDATE SET labels = excluded.labels, annotations = excluded.annotations,
		starts_at = excluded.starts_at, ends_at = excluded.ends_at, updated_at = excluded.updated_at,
		generator_url = excluded.generator_url, closed = excluded.closed`,
		a.Fingerprint(), toJSON(a.Labels), toJSON(a.Annotations), ms(a.StartsAt), ms(a.EndsAt), ms(a.UpdatedAt), a.GeneratorURL, boolInt(closed))
	return err
}

// OpenAlerts implements alert.Store.
func (s *Store) OpenAlerts(ctx context.Context) ([]alert.Alert, error) {
	return s.queryAlerts(ctx, "WHERE closed = 0 ORDER BY starts_at")
}

// ListAlerts implements alert.Store.
func (s *Store) ListAlerts(ctx context.Context, since time.Time, limit int) ([]alert.Alert, error) {
	return s.queryAlerts(ctx, "WHERE updated_at >= ? ORDER BY updated_at DESC LIMIT ?", ms(since), limit)
}

func (s *Store) queryAlerts(ctx context.Context, where string, args ...any) ([]alert.Alert, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT labels, annotations, starts_at, ends_at, updated_at, generator_url FROM alert_alerts "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alert.Alert
	for rows.Next() {
		var a alert.Alert
		var labels, annotations string
		var starts, ends, updated int64
		if err := rows.Scan(&labels, &annotations, &starts, &ends, &updated, &a.GeneratorURL); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(labels), &a.Labels); err != nil {
			return nil, fmt.Errorf("alert labels: %w", err)
		}
		if err := json.Unmarshal([]byte(annotations), &a.Annotations); err != nil {
			return nil, fmt.Errorf("alert annotations: %w", err)
		}
		a.StartsAt, a.EndsAt, a.UpdatedAt = fromMS(starts), fromMS(ends), fromMS(updated)
		out = append(out, a)
	}
	return out, rows.Err()
}

// CloseAlerts implements alert.Store.
func (s *Store) CloseAlerts(ctx context.Context, fingerprints []string) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		for _, fp := range fingerprints {
			if _, err := tx.ExecContext(ctx, "UPDATE alert_alerts SET closed = 1 WHERE fingerprint = ?", fp); err != nil {
				return err
			}
		}
		return nil
	})
}

// SaveGroup implements alert.Store.
func (s *Store) SaveGroup(ctx context.Context, g alert.GroupState) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO alert_groups (group_key, route_id, labels, next_flush, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_key) DO UPDATE SET route_id = excluded.route_id,
		labels = excluded.labels, next_flush = excluded.next_flush`,
		g.Key, g.RouteID, toJSON(g.Labels), ms(g.NextFlush), ms(g.CreatedAt))
	return err
}

// DeleteGroup implements alert.Store.
func (s *Store) DeleteGroup(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM alert_groups WHERE group_key = ?", key)
	return err
}

// Groups implements alert.Store.
func (s *Store) Groups(ctx context.Context) ([]alert.GroupState, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT group_key, route_id, labels, next_flush, created_at FROM alert_groups")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alert.GroupState
	for rows.Next() {
		var g alert.GroupState
		var labels string
		var next, created int64
		if err := rows.Scan(&g.Key, &g.RouteID, &labels, &next, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(labels), &g.Labels); err != nil {
			return nil, err
		}
		g.NextFlush, g.CreatedAt = fromMS(next), fromMS(created)
		out = append(out, g)
	}
	return out, rows.Err()
}

// PutNotifyEntry implements alert.Store.
func (s *Store) PutNotifyEntry(ctx context.Context, e alert.NotifyEntry) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO alert_notify_log (group_key, channel, firing, resolved, sent_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_key, channel) DO UPDATE SET firing = excluded.firing,
		resolved = excluded.resolved, sent_at = excluded.sent_at`,
		e.GroupKey, e.Channel, toJSON(nonNil(e.Firing)), toJSON(nonNil(e.Resolved)), ms(e.SentAt))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// NotifyEntries implements alert.Store.
func (s *Store) NotifyEntries(ctx context.Context) ([]alert.NotifyEntry, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT group_key, channel, firing, resolved, sent_at FROM alert_notify_log")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alert.NotifyEntry
	for rows.Next() {
		var e alert.NotifyEntry
		var firing, resolved string
		var sent int64
		if err := rows.Scan(&e.GroupKey, &e.Channel, &firing, &resolved, &sent); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(firing), &e.Firing); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(resolved), &e.Resolved); err != nil {
			return nil, err
		}
		e.SentAt = fromMS(sent)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddDelivery implements alert.Store.
func (s *Store) AddDelivery(ctx context.Context, d alert.Delivery) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO alert_deliveries
		(at, channel, channel_type, group_key, attempt, status, code, error, duration_ms, firing, resolved, title, test)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ms(d.At), d.Channel, d.ChannelType, d.GroupKey, d.Attempt, d.Status, d.Code, d.Error, d.DurationMS,
		d.Firing, d.Resolved, d.Title, boolInt(d.Test))
	return err
}

// Deliveries implements alert.Store: newest first.
func (s *Store) Deliveries(ctx context.Context, f alert.DeliveryFilter) ([]alert.Delivery, error) {
	q := `SELECT id, at, channel, channel_type, group_key, attempt, status, code, error, duration_ms, firing, resolved, title, test
		FROM alert_deliveries WHERE 1 = 1`
	var args []any
	if f.Channel != "" {
		q += " AND channel = ?"
		args = append(args, f.Channel)
	}
	if f.GroupKey != "" {
		q += " AND group_key = ?"
		args = append(args, f.GroupKey)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alert.Delivery
	for rows.Next() {
		var d alert.Delivery
		var at int64
		var test int
		if err := rows.Scan(&d.ID, &at, &d.Channel, &d.ChannelType, &d.GroupKey, &d.Attempt, &d.Status, &d.Code, &d.Error,
			&d.DurationMS, &d.Firing, &d.Resolved, &d.Title, &test); err != nil {
			return nil, err
		}
		d.At, d.Test = fromMS(at), test == 1
		out = append(out, d)
	}
	return out, rows.Err()
}

// CreateSilence implements alert.Store.
func (s *Store) CreateSilence(ctx context.Context, sl alert.Silence) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		sl.ID, toJSON(sl.Matchers), ms(sl.StartsAt), ms(sl.EndsAt), sl.CreatedBy, sl.Comment, ms(sl.CreatedAt))
	return err
}

// ExpireSilence implements alert.Store.
func (s *Store) ExpireSilence(ctx context.Context, id string, at time.Time) (bool, error) {
	var exists int
	err := s.db.QueryRowContext(ctx, "SELECT 1 FROM alert_silences WHERE id = ?", id).Scan(&exists)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = s.db.ExecContext(ctx, "UPDATE alert_silences SET ends_at = ? WHERE id = ? AND ends_at > ?", ms(at), id, ms(at))
	return err == nil, err
}

// Silences implements alert.Store.
func (s *Store) Silences(ctx context.Context) ([]alert.Silence, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at FROM alert_silences ORDER BY created_at")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alert.Silence
	for rows.Next() {
		var sl alert.Silence
		var matchers string
		var starts, ends, created int64
		if err := rows.Scan(&sl.ID, &matchers, &starts, &ends, &sl.CreatedBy, &sl.Comment, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(matchers), &sl.Matchers); err != nil {
			return nil, err
		}
		sl.StartsAt, sl.EndsAt, sl.CreatedAt = fromMS(starts), fromMS(ends), fromMS(created)
		out = append(out, sl)
	}
	return out, rows.Err()
}
