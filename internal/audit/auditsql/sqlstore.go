// Package auditsql stores the audit trail in Warden's SQLite or PostgreSQL
// database, in tables whose triggers refuse updates and deletes.
package auditsql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the audit tables and their triggers.
var Migrations = store.Migrations("audit", migrationFiles, "migrations")

// chainLockKey is the PostgreSQL advisory lock held by every append
// transaction, so two Warden instances never link two events to one head.
const chainLockKey = 0x617564697463 // "auditc"

// Store implements audit.Store.
type Store struct{ db *store.DB }

// New returns a Store on db, which must have Migrations applied.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ audit.Store = (*Store)(nil)

const eventColumns = "seq, id, time, recorded_at, action, actor_type, actor_ref, target_type, target_ref, outcome, canonical, leaf_hash"

type scanner interface{ Scan(dest ...any) error }

func scanRecord(row scanner) (audit.Record, error) {
	var r audit.Record
	var t, rec int64
	err := row.Scan(&r.Seq, &r.ID, &t, &rec, &r.Action, &r.ActorType, &r.ActorRef, &r.TargetType, &r.TargetRef, &r.Outcome, &r.Canonical, &r.Hash)
	r.Time, r.RecordedAt = store.FromMillis(t), store.FromMillis(rec)
	return r, err
}

// Append implements audit.Store.
func (s *Store) Append(ctx context.Context, fn func(ctx context.Context, tx audit.AppendTx) error) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if s.db.Dialect == store.Postgres {
			// Released at commit or rollback. SQLite needs nothing: the
			// transaction is IMMEDIATE, so it holds the one write lock.
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", chainLockKey); err != nil {
				return fmt.Errorf("take the audit chain lock: %w", err)
			}
		}
		a := &appendTx{tx: tx, dialect: s.db.Dialect}
		if err := fn(ctx, a); err != nil {
			return err
		}
		return a.flush(ctx)
	})
}

type appendTx struct {
	tx      *store.Tx
	dialect store.Dialect
	// pending holds inserted records until flush writes them with
	// multi-row INSERTs: one round trip per insertChunk events, which is
	// most of the difference on PostgreSQL.
	pending []audit.Record
	// insert is the one-row INSERT SQLite flushes through, prepared once
	// per transaction (closed with it).
	insert *sql.Stmt
}

// insertChunk keeps one INSERT's parameters (12 per row) well under both
// engines' limits.
const insertChunk = 500

func (a *appendTx) Head(ctx context.Context) (audit.Head, error) {
	return head(ctx, a.tx)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func head(ctx context.Context, q querier) (audit.Head, error) {
	h := audit.Head{Seq: -1}
	err := q.QueryRowContext(ctx, "SELECT seq, leaf_hash FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Head{Seq: -1}, nil
	}
	return h, err
}

func (a *appendTx) Existing(ctx context.Context, ids []string) (map[string]audit.Record, error) {
	out := map[string]audit.Record{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := a.tx.QueryContext(ctx, "SELECT "+eventColumns+" FROM audit_events WHERE id IN ("+placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[r.ID] = r
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func (a *appendTx) Subject(ctx context.Context, id string, create func() (audit.Subject, error)) (audit.Subject, error) {
	sub, err := subjectByID(ctx, a.tx, id)
	if !errors.Is(err, audit.ErrNotFound) {
		return sub, err
	}
	sub, err = create()
	if err != nil {
		return sub, err
	}
	_, err = a.tx.ExecContext(ctx, "INSERT INTO audit_subjects (subject, pseudonym, key, created_at) VALUES (?, ?, ?, ?)",
		sub.ID, sub.Pseudonym, sub.Key, store.Millis(sub.CreatedAt))
	return sub, err
}

func (a *appendTx) SubjectsByID(ctx context.Context, ids []string) (map[string]audit.Subject, error) {
	out := make(map[string]audit.Subject, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := a.tx.QueryContext(ctx, "SELECT subject, pseudonym, key, created_at FROM audit_subjects WHERE subject IN ("+placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var sub audit.Subject
			var created int64
			if err := rows.Scan(&sub.ID, &sub.Pseudonym, &sub.Key, &created); err != nil {
				rows.Close()
				return nil, err
			}
			sub.CreatedAt = store.FromMillis(created)
			out[sub.ID] = sub
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (a *appendTx) Insert(ctx context.Context, r audit.Record) error {
	a.pending = append(a.pending, r)
	if len(a.pending) >= insertChunk {
		return a.flush(ctx)
	}
	return nil
}

func (a *appendTx) flush(ctx context.Context) error {
	if len(a.pending) == 0 {
		return nil
	}
	if a.dialect == store.SQLite {
		return a.flushSQLite(ctx)
	}
	var q strings.Builder
	q.WriteString("INSERT INTO audit_events (" + eventColumns + ") VALUES ")
	args := make([]any, 0, 12*len(a.pending))
	for i, r := range a.pending {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, recordArgs(r)...)
	}
	a.pending = a.pending[:0]
	_, err := a.tx.ExecContext(ctx, q.String(), args...)
	return err
}

// flushSQLite inserts the pending records one row at a time through one
// prepared statement. In-process SQLite has no round trip to save, and a
// statement that writes one row needs no statement journal, which a
// multi-row INSERT inside a transaction does: SQLite copies every page the
// statement touches into it first, in a temporary file once it passes
// 64 KiB, about one 4 KiB write per event.
func (a *appendTx) flushSQLite(ctx context.Context) error {
	if a.insert == nil {
		st, err := a.tx.PrepareContext(ctx, "INSERT INTO audit_events ("+eventColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			return err
		}
		a.insert = st
	}
	for _, r := range a.pending {
		if _, err := a.insert.ExecContext(ctx, recordArgs(r)...); err != nil {
			return err
		}
	}
	a.pending = a.pending[:0]
	return nil
}

func recordArgs(r audit.Record) []any {
	return []any{r.Seq, r.ID, store.Millis(r.Time), store.Millis(r.RecordedAt), r.Action, r.ActorType, r.ActorRef,
		r.TargetType, r.TargetRef, r.Outcome, r.Canonical, r.Hash}
}

// Head implements audit.Store.
func (s *Store) Head(ctx context.Context) (audit.Head, error) { return head(ctx, s.db) }

// scanPage is how many rows Scan and LeafHashes read per query: keyset
// pages keep each query short so that a long verify never holds one
// read transaction open over millions of rows.
const scanPage = 10000

// Scan implements audit.Store.
func (s *Store) Scan(ctx context.Context, from int64, fn func(audit.Record) error) error {
	for {
		n := 0
		rows, err := s.db.QueryContext(ctx, "SELECT "+eventColumns+" FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?", from, scanPage)
		if err != nil {
			return err
		}
		for rows.Next() {
			r, err := scanRecord(rows)
			if err == nil {
				err = fn(r)
			}
			if err != nil {
				rows.Close()
				return err
			}
			from = r.Seq + 1
			n++
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if n < scanPage {
			return nil
		}
	}
}

// LeafHashes implements audit.Store.
func (s *Store) LeafHashes(ctx context.Context, from, to int64, fn func(seq int64, hash []byte) error) error {
	for from < to {
		n := 0
		rows, err := s.db.QueryContext(ctx, "SELECT seq, leaf_hash FROM audit_events WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?", from, to, scanPage)
		if err != nil {
			return err
		}
		for rows.Next() {
			var seq int64
			var h []byte
			err := rows.Scan(&seq, &h)
			if err == nil {
				err = fn(seq, h)
			}
			if err != nil {
				rows.Close()
				return err
			}
			from = seq + 1
			n++
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if n < scanPage {
			return nil
		}
	}
	return nil
}

// Get implements audit.Store.
func (s *Store) Get(ctx context.Context, seq int64) (audit.Record, error) {
	r, err := scanRecord(s.db.QueryRowContext(ctx, "SELECT "+eventColumns+" FROM audit_events WHERE seq = ?", seq))
	if errors.Is(err, sql.ErrNoRows) {
		return r, audit.ErrNotFound
	}
	return r, err
}

// GetByID implements audit.Store.
func (s *Store) GetByID(ctx context.Context, id string) (audit.Record, error) {
	r, err := scanRecord(s.db.QueryRowContext(ctx, "SELECT "+eventColumns+" FROM audit_events WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, audit.ErrNotFound
	}
	return r, err
}

// FirstSeqAtOrAfter implements audit.Store without an index on
// recorded_at, which would cost every append a b-tree insert for a query
// retention runs once a day. recorded_at grows with seq (the one writer
// stamps each batch as it commits it), so a binary search over seq on the
// primary key finds the cut in about log2(n) point reads. A clock that
// stepped back could break that order, so the answer is then made exact:
// the lowest seq below the candidate recorded at or after t, if any, is the
// cut. That check reads only the events below the cut, which retention
// reads (and removes) anyway.
func (s *Store) FirstSeqAtOrAfter(ctx context.Context, t time.Time) (int64, error) {
	ms := store.Millis(t)
	var lo, hi sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT MIN(seq), MAX(seq) FROM audit_events").Scan(&lo, &hi); err != nil {
		return 0, err
	}
	if !lo.Valid {
		return 0, nil // empty: the next event would be seq 0
	}
	// The cut is in [l, h]: h means no event is recorded at or after t.
	l, h, cut := lo.Int64, hi.Int64+1, hi.Int64+1
	for l < h {
		m := l + (h-l)/2
		var seq, rec int64
		// The first event at or after m: a gap (tampering) must not
		// stop the search; verify reports it.
		err := s.db.QueryRowContext(ctx, "SELECT seq, recorded_at FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT 1", m).Scan(&seq, &rec)
		if errors.Is(err, sql.ErrNoRows) {
			h = m
			continue
		}
		if err != nil {
			return 0, err
		}
		if rec >= ms {
			cut, h = seq, m
		} else {
			l = seq + 1
		}
	}
	var early sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT MIN(seq) FROM audit_events WHERE seq < ? AND recorded_at >= ?", cut, ms).Scan(&early); err != nil {
		return 0, err
	}
	if early.Valid {
		return early.Int64, nil
	}
	return cut, nil
}
