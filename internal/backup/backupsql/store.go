// Package backupsql keeps the backup catalog (every backup, verification
// and restore drill) in Warden's SQLite or PostgreSQL database.
package backupsql

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the catalog's tables.
var Migrations = store.Migrations("backups", migrationFiles, "migrations")

// Store implements backup.Catalog.
type Store struct{ db *store.DB }

// New returns a Store on db, which must have Migrations applied.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ backup.Catalog = (*Store)(nil)

var ms, fromMS = store.Millis, store.FromMillis

const runColumns = `id, target, engine, trigger_kind, status, started_at, finished_at, snapshot_at, duration_ms,
	destination, artifact, size, raw_size, sha256, error, manifest, verify_status, verified_at, verify_error`

func manifestJSON(m *backup.Manifest) string {
	if m == nil {
		return ""
	}
	return string(m.Marshal())
}

// Insert implements backup.Catalog.
func (s *Store) Insert(ctx context.Context, r *backup.Record) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO backup_runs (`+runColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Target, r.Engine, r.Trigger, r.Status, ms(r.StartedAt), ms(r.FinishedAt), ms(r.SnapshotAt), r.DurationMS,
		r.Destination, r.Artifact, r.Size, r.RawSize, r.SHA256, r.Error, manifestJSON(r.Manifest),
		r.VerifyStatus, ms(r.VerifiedAt), r.VerifyError)
	return err
}

// Update implements backup.Catalog.
func (s *Store) Update(ctx context.Context, r *backup.Record) error {
	res, err := s.db.ExecContext(ctx, `UPDATE backup_runs SET status = ?, finished_at = ?, snapshot_at = ?, duration_ms = ?,
		destination = ?, artifact = ?, size = ?, raw_size = ?, sha256 = ?, error = ?, manifest = ?,
		verify_status = ?, verified_at = ?, verify_error = ? WHERE id = ?`,
		r.Status, ms(r.FinishedAt), ms(r.SnapshotAt), r.DurationMS, r.Destination, r.Artifact, r.Size, r.RawSize,
		r.SHA256, r.Error, manifestJSON(r.Manifest), r.VerifyStatus, ms(r.VerifiedAt), r.VerifyError, r.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("backup %s: %w", r.ID, backup.ErrNotFound)
	}
	return nil
}

type scanner interface{ Scan(...any) error }

func scanRun(sc scanner) (backup.Record, error) {
	var r backup.Record
	var started, finished, snapshot, verified int64
	var manifest string
	err := sc.Scan(&r.ID, &r.Target, &r.Engine, &r.Trigger, &r.Status, &started, &finished, &snapshot, &r.DurationMS,
		&r.Destination, &r.Artifact, &r.Size, &r.RawSize, &r.SHA256, &r.Error, &manifest, &r.VerifyStatus, &verified, &r.VerifyError)
	if err != nil {
		return r, err
	}
	r.StartedAt, r.FinishedAt, r.SnapshotAt, r.VerifiedAt = fromMS(started), fromMS(finished), fromMS(snapshot), fromMS(verified)
	if manifest != "" {
		m, err := backup.ParseManifest([]byte(manifest))
		if err != nil {
			return r, fmt.Errorf("backup %s: stored %w", r.ID, err)
		}
		r.Manifest = m
	}
	return r, nil
}

// Get implements backup.Catalog.
func (s *Store) Get(ctx context.Context, id string) (*backup.Record, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM backup_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("backup %q: %w", id, backup.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// List implements backup.Catalog.
func (s *Store) List(ctx context.Context, f backup.Filter) ([]backup.Record, error) {
	q := `SELECT ` + runColumns + ` FROM backup_runs WHERE 1 = 1`
	var args []any
	if f.Target != "" {
		q += ` AND target = ?`
		args = append(args, f.Target)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	q += ` ORDER BY started_at DESC, id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []backup.Record
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Delete implements backup.Catalog. The backup's checks stay as history.
func (s *Store) Delete(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM backup_runs WHERE id = ?`, id)
	return err
}

// AddCheck implements backup.Catalog.
func (s *Store) AddCheck(ctx context.Context, c *backup.Check) error {
	rep, err := json.Marshal(c.Report)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO backup_checks (id, backup_id, target, kind, started_at, duration_ms, status, error, report)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.BackupID, c.Target, c.Kind, ms(c.StartedAt), c.DurationMS, c.Status, c.Error, string(rep))
	return err
}

// Checks implements backup.Catalog.
func (s *Store) Checks(ctx context.Context, target string, limit int) ([]backup.Check, error) {
	q := `SELECT id, backup_id, target, kind, started_at, duration_ms, status, error, report FROM backup_checks`
	var args []any
	if target != "" {
		q += ` WHERE target = ?`
		args = append(args, target)
	}
	q += ` ORDER BY started_at DESC, id DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []backup.Check
	for rows.Next() {
		var c backup.Check
		var started int64
		var rep string
		if err := rows.Scan(&c.ID, &c.BackupID, &c.Target, &c.Kind, &started, &c.DurationMS, &c.Status, &c.Error, &rep); err != nil {
			return nil, err
		}
		c.StartedAt = fromMS(started)
		if rep != "" {
			if err := json.Unmarshal([]byte(rep), &c.Report); err != nil {
				return nil, fmt.Errorf("check %s: stored report: %w", c.ID, err)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
