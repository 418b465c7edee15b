package auditsql

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
)

func subjectByID(ctx context.Context, q querier, id string) (audit.Subject, error) {
	sub := audit.Subject{ID: id}
	var created int64
	err := q.QueryRowContext(ctx, "SELECT pseudonym, key, created_at FROM audit_subjects WHERE subject = ?", id).Scan(&sub.Pseudonym, &sub.Key, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return sub, audit.ErrNotFound
	}
	sub.CreatedAt = store.FromMillis(created)
	return sub, err
}

// SubjectByID implements audit.Store.
func (s *Store) SubjectByID(ctx context.Context, id string) (audit.Subject, error) {
	return subjectByID(ctx, s.db, id)
}

// Subjects implements audit.Store.
func (s *Store) Subjects(ctx context.Context, pseudonyms []string) (map[string]audit.Subject, error) {
	out := map[string]audit.Subject{}
	for len(pseudonyms) > 0 {
		chunk := pseudonyms[:min(len(pseudonyms), 500)]
		pseudonyms = pseudonyms[len(chunk):]
		args := make([]any, len(chunk))
		for i, p := range chunk {
			args[i] = p
		}
		err := s.scanSubjects(ctx, "WHERE pseudonym IN ("+placeholders(len(chunk))+")", args, func(sub audit.Subject) error {
			out[sub.Pseudonym] = sub
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AllSubjects implements audit.Store.
func (s *Store) AllSubjects(ctx context.Context, fn func(audit.Subject) error) error {
	return s.scanSubjects(ctx, "", nil, fn)
}

func (s *Store) scanSubjects(ctx context.Context, where string, args []any, fn func(audit.Subject) error) error {
	rows, err := s.db.QueryContext(ctx, "SELECT subject, pseudonym, key, created_at FROM audit_subjects "+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sub audit.Subject
		var created int64
		if err := rows.Scan(&sub.ID, &sub.Pseudonym, &sub.Key, &created); err != nil {
			return err
		}
		sub.CreatedAt = store.FromMillis(created)
		if err := fn(sub); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DeleteSubject implements audit.Store.
func (s *Store) DeleteSubject(ctx context.Context, id string) (bool, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM audit_subjects WHERE subject = ?", id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
