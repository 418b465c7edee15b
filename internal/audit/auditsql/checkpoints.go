package auditsql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
)

// AddCheckpoint implements audit.Store.
func (s *Store) AddCheckpoint(ctx context.Context, cp audit.Checkpoint) error {
	return addCheckpoint(ctx, s.db, cp)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func addCheckpoint(ctx context.Context, db execer, cp audit.Checkpoint) error {
	_, err := db.ExecContext(ctx, "INSERT INTO audit_checkpoints (size, kind, created_at, body) VALUES (?, ?, ?, ?)",
		cp.Size, cp.Kind, store.Millis(cp.At()), string(cp.JSON()))
	return err
}

// Checkpoints implements audit.Store.
func (s *Store) Checkpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT body FROM audit_checkpoints ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Checkpoint
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var cp audit.Checkpoint
		if err := json.Unmarshal([]byte(body), &cp); err != nil {
			return nil, fmt.Errorf("stored checkpoint is not JSON: %w", err)
		}
		out = append(out, cp)
	}
	return out, rows.Err()
}

// LatestCheckpoint implements audit.Store.
func (s *Store) LatestCheckpoint(ctx context.Context, kind string) (audit.Checkpoint, error) {
	q, args := "SELECT body FROM audit_checkpoints ORDER BY id DESC LIMIT 1", []any{}
	if kind != "" {
		q, args = "SELECT body FROM audit_checkpoints WHERE kind = ? ORDER BY id DESC LIMIT 1", []any{kind}
	}
	var body string
	err := s.db.QueryRowContext(ctx, q, args...).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Checkpoint{}, audit.ErrNotFound
	}
	if err != nil {
		return audit.Checkpoint{}, err
	}
	var cp audit.Checkpoint
	if err := json.Unmarshal([]byte(body), &cp); err != nil {
		return cp, fmt.Errorf("stored checkpoint is not JSON: %w", err)
	}
	return cp, nil
}

// RemoveBefore implements audit.Store: the permit row is what lets the
// delete trigger pass, and it lives only inside this transaction.
func (s *Store) RemoveBefore(ctx context.Context, cut int64, cutoff time.Time, want int64, cp audit.Checkpoint) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if s.db.Dialect == store.Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", chainLockKey); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit_retention_permits (up_to_seq, cutoff) VALUES (?, ?)", cut, store.Millis(cutoff)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM audit_events WHERE seq < ? AND recorded_at < ?", cut, store.Millis(cutoff))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("would remove %d events, expected %d: the trail is not intact (run warden audit verify)", n, want)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM audit_retention_permits"); err != nil {
			return err
		}
		return addCheckpoint(ctx, tx, cp)
	})
}
