package auditsql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
)

// keepVerifications is how many verification results are kept.
const keepVerifications = 100

// AddVerification implements audit.Store.
func (s *Store) AddVerification(ctx context.Context, at time.Time, rep audit.VerifyReport) error {
	body, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	ok := 0
	if rep.OK {
		ok = 1
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit_verifications (at, ok, report) VALUES (?, ?, ?)", store.Millis(at), ok, string(body)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM audit_verifications WHERE at < (SELECT MIN(at) FROM
			(SELECT at FROM audit_verifications ORDER BY at DESC LIMIT ?) AS newest)`, keepVerifications)
		return err
	})
}

// LatestVerification implements audit.Store.
func (s *Store) LatestVerification(ctx context.Context) (audit.VerifyReport, time.Time, error) {
	var at int64
	var body string
	err := s.db.QueryRowContext(ctx, "SELECT at, report FROM audit_verifications ORDER BY at DESC LIMIT 1").Scan(&at, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.VerifyReport{}, time.Time{}, audit.ErrNotFound
	}
	if err != nil {
		return audit.VerifyReport{}, time.Time{}, err
	}
	var rep audit.VerifyReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		return rep, time.Time{}, err
	}
	return rep, store.FromMillis(at), nil
}
