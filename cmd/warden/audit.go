package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/audit/auditsql"
	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/store"
)

const auditUsage = `usage:
  warden audit verify [--config F] [--json]       recompute the chain and tree, check every checkpoint
  warden audit export [--user ID] [--from T] [--to T] [--format jsonl|csv] [--output FILE] [--config F]
  warden audit checkpoint [--config F]            sign, store and publish a checkpoint now
  warden audit erase --user ID [--config F]       honour an erasure request: destroy the user's pseudonym key (events stay, unlinkable)
  warden audit owner-sql --owner ROLE --app ROLE  print the PostgreSQL statements that hand the tables to a NOLOGIN owner`

func runAudit(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, "audit", auditUsage, map[string]subcommand{
		"verify":     auditVerify,
		"export":     auditExport,
		"checkpoint": auditCheckpoint,
		"erase":      auditErase,
		"owner-sql":  func(_ context.Context, args []string, e env) error { return auditOwnerSQL(args, e) },
	}, args, e)
}

// openAudit loads the config, opens the database and starts the trail's
// writer, so that the command's own events (an export) are chained.
func openAudit(ctx context.Context, path string, given bool, e env) (*audit.Service, *store.DB, error) {
	cfg, err := loadConfig(path, given, e)
	if err != nil {
		return nil, nil, err
	}
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	svc, err := app.NewAuditService(cfg, db, nil)
	if err == nil {
		err = svc.Start(ctx)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, db, nil
}

func closeAudit(svc *audit.Service, db *store.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	svc.Stop(ctx)
	db.Close()
}

// cliActor names the person at the terminal in the events the CLI records.
func cliActor(ctx context.Context) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return auth.WithPrincipal(ctx, auth.Principal{Kind: "cli", Name: name})
}

func auditVerify(ctx context.Context, args []string, e env) error {
	const synopsis = "warden audit verify [--config warden.yaml] [--json]"
	fs := newFlagSet("audit verify", synopsis, e)
	path := configFlag(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	svc, db, err := openAudit(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer closeAudit(svc, db)
	fmt.Fprintln(e.stderr, "verifying the audit trail...")
	rep, err := svc.Verify(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		for _, w := range rep.Warnings {
			fmt.Fprintln(e.stdout, "warning:", w)
		}
		if rep.OK {
			fmt.Fprintf(e.stdout, "OK: events %d..%d (%d), %d checkpoints (%d published), %d subjects checked in %.2fs\nroot %s\n",
				rep.First, rep.Size-1, rep.Events, rep.Checkpoints, rep.Published, rep.Subjects, rep.Seconds, rep.Root)
		}
	}
	if !rep.OK {
		fmt.Fprintf(e.stderr, "FAILED: %v\n", rep.Problem)
		return errReported
	}
	return nil
}

// parseCLITime reads --from and --to: RFC 3339, or a date (midnight UTC).
func parseCLITime(flagName, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, usagef("--%s: %q is not a time such as 2026-11-23 or 2026-11-23T12:00:00Z", flagName, s)
}

func auditExport(ctx context.Context, args []string, e env) error {
	const synopsis = "warden audit export [--user ID] [--from T] [--to T] [--format jsonl|csv] [--output FILE] [--config warden.yaml]"
	fs := newFlagSet("audit export", synopsis, e)
	path := configFlag(fs)
	userID := fs.String("user", "", "export every event whose actor or target is this user (a GDPR access request; recorded in the trail)")
	from := fs.String("from", "", "events at or after this time (RFC 3339 or YYYY-MM-DD)")
	to := fs.String("to", "", "events before this time")
	format := fs.String("format", "jsonl", "jsonl or csv")
	output := fs.String("output", "", "write to this file instead of stdout")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	if *format != audit.FormatJSONL && *format != audit.FormatCSV {
		return usagef("--format: %q is not jsonl or csv", *format)
	}
	q := audit.Query{}
	var err error
	if q.From, err = parseCLITime("from", *from); err != nil {
		return err
	}
	if q.To, err = parseCLITime("to", *to); err != nil {
		return err
	}
	if *userID != "" && (*from != "" || *to != "") {
		return usagef("--user exports the user's whole history; it does not take --from or --to")
	}
	svc, db, err := openAudit(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer closeAudit(svc, db)
	var w io.Writer = e.stdout
	var f *os.File
	if *output != "" {
		if f, err = os.OpenFile(*output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	ctx = cliActor(ctx)
	var n int64
	if *userID != "" {
		n, err = svc.ExportUser(ctx, *userID, bw, *format)
	} else {
		if err = svc.Record(ctx, audit.Event{Action: "admin.audit.export", Outcome: audit.Success,
			Details: map[string]any{"format": *format, "from": *from, "to": *to, "via": "cli"}}); err != nil {
			return fmt.Errorf("record the export in the audit trail: %w", err)
		}
		n, err = svc.Export(ctx, q, bw, *format)
	}
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stderr, "exported %d events\n", n)
	return nil
}

func auditCheckpoint(ctx context.Context, args []string, e env) error {
	const synopsis = "warden audit checkpoint [--config warden.yaml]"
	fs := newFlagSet("audit checkpoint", synopsis, e)
	path := configFlag(fs)
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	svc, db, err := openAudit(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer closeAudit(svc, db)
	cp, err := svc.CheckpointNow(ctx, audit.CheckpointManual)
	if cp.Signature != "" {
		fmt.Fprintf(e.stdout, "checkpoint: %d events, root %s, key %s\n", cp.Size, cp.Root, cp.KeyID)
	}
	return err
}

func auditOwnerSQL(args []string, e env) error {
	const synopsis = "warden audit owner-sql --owner warden_audit_owner --app warden"
	fs := newFlagSet("audit owner-sql", synopsis, e)
	owner := fs.String("owner", "warden_audit_owner", "the NOLOGIN role that will own the audit tables")
	appRole := fs.String("app", "", "the role Warden logs in as")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if strings.TrimSpace(*appRole) == "" {
		return usagef("--app is required: the role Warden logs in as\nusage: %s", synopsis)
	}
	s, err := auditsql.OwnerSetupSQL(*owner, *appRole)
	if err != nil {
		return usagef("%v", err)
	}
	fmt.Fprint(e.stdout, s)
	return nil
}

func auditErase(ctx context.Context, args []string, e env) error {
	const synopsis = "warden audit erase --user ID [--config warden.yaml]"
	fs := newFlagSet("audit erase", synopsis, e)
	path := configFlag(fs)
	userID := fs.String("user", "", "the user whose pseudonym key to destroy")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	if *userID == "" {
		return usagef("--user is required\nusage: %s", synopsis)
	}
	svc, db, err := openAudit(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer closeAudit(svc, db)
	ok, err := svc.EraseSubject(cliActor(ctx), *userID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("user %q has no pseudonym in the audit trail (never recorded, or already erased)", *userID)
	}
	fmt.Fprintf(e.stdout, "erased: the audit trail's events of %s can no longer be linked to them; the chain and checkpoints are unchanged\n", *userID)
	return nil
}
