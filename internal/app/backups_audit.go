package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/audit/auditsql"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/store"
)

// AuditTrailCheck is the name of the built-in target's extra check in
// verification and drill reports.
const AuditTrailCheck = "audit trail"

// auditPostCheck returns the check a verification or drill of Warden's own
// state runs on the restored copy: the audit verifier recomputes the hash
// chain and the Merkle tree from the restored events and checks them
// against the signed checkpoints stored in the copy, with the signing key
// the live trail uses. A copy whose trail was edited, cut or reordered
// fails, naming the first event concerned.
//
// The published checkpoint file is not read: it holds checkpoints newer
// than the backup, which a restored (older) trail rightly lacks. The
// verifier records its result in the restored copy, never in the live one.
func auditPostCheck(cfg *config.Config, engine store.Dialect) func(ctx context.Context, location string) (string, string, error) {
	keyFile := AuditKeyFile(cfg)
	return func(ctx context.Context, location string) (string, string, error) {
		db, err := openRestored(ctx, engine, location)
		if err != nil {
			return AuditTrailCheck, "not checked: " + err.Error(), err
		}
		defer db.Close()
		var signer *audit.Signer
		if _, err := os.Stat(keyFile); err == nil {
			if signer, _, err = audit.LoadOrCreateSigner(keyFile); err != nil {
				return AuditTrailCheck, "not checked: " + err.Error(), err
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return AuditTrailCheck, "not checked: " + err.Error(), err
		}
		svc, err := audit.New(audit.Options{Store: auditsql.New(db), Signer: signer, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			return AuditTrailCheck, "not checked: " + err.Error(), err
		}
		rep, err := svc.Verify(ctx)
		if err != nil {
			return AuditTrailCheck, "not checked: " + err.Error(), fmt.Errorf("verify the restored audit trail: %w", err)
		}
		if !rep.OK {
			msg := "verification failed"
			if rep.Problem != nil {
				msg = rep.Problem.Error()
			}
			return AuditTrailCheck, "FAILED: " + msg, fmt.Errorf("the restored audit trail does not verify: %s", msg)
		}
		result := fmt.Sprintf("verified: %d events, %d signed checkpoints, root %s", rep.Events, rep.Checkpoints, shortHex(rep.Root))
		if signer == nil {
			result += " (no signing key at " + keyFile + ": signatures not checked)"
		}
		return AuditTrailCheck, result, nil
	}
}

// openRestored opens a restored copy of Warden's database without
// migrating it: it is checked as it was backed up.
func openRestored(ctx context.Context, engine store.Dialect, location string) (*store.DB, error) {
	if engine == store.Postgres {
		return store.Open(ctx, store.Options{URL: location})
	}
	if _, err := os.Stat(location); err != nil {
		return nil, err
	}
	sqlDB, err := sql.Open("sqlite", "file:"+location+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close() // the ping's error is the one to report
		return nil, err
	}
	return &store.DB{DB: sqlDB, Dialect: store.SQLite, Path: location}, nil
}

func shortHex(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return strings.TrimSpace(s)
}
