// Package pgsrc backs up PostgreSQL databases with pg_dump --format=custom
// and verifies them with a full pg_restore into a scratch database:
// pg_restore --list alone passes on a corrupt dump.
//
// Row counts come from the very snapshot pg_dump reads: Dump opens a
// REPEATABLE READ transaction, exports its snapshot, counts rows in it and
// runs pg_dump --snapshot on it, so the manifest matches the dump exactly
// while the app keeps writing.
package pgsrc

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/wardenhq/warden/internal/backup"
)

// Source is one PostgreSQL database.
type Source struct {
	// URL is the live database (postgres://...).
	URL string
	// ScratchURL names the server (and a database to connect to there)
	// where verification creates and drops scratch databases; it defaults
	// to URL's server.
	ScratchURL string
	// BinDir holds pg_dump and pg_restore; empty finds them (FindTools).
	BinDir string
}

var _ backup.Source = (*Source)(nil)

// Engine implements backup.Source.
func (s *Source) Engine() string { return backup.EnginePostgres }

// Ext implements backup.Source.
func (s *Source) Ext() string { return "pgdump" }

// Describe implements backup.Source.
func (s *Source) Describe() string { return backup.RedactURL(s.URL) }

// Dump implements backup.Source.
func (s *Source) Dump(ctx context.Context, path string) (backup.Dump, error) {
	tools, err := FindTools(ctx, s.BinDir)
	if err != nil {
		return backup.Dump{}, err
	}
	db, err := sql.Open("pgx", s.URL)
	if err != nil {
		return backup.Dump{}, err
	}
	defer db.Close()
	var serverNum int
	if err := db.QueryRowContext(ctx, "SELECT current_setting('server_version_num')::int").Scan(&serverNum); err != nil {
		return backup.Dump{}, fmt.Errorf("connect to %s: %w", s.Describe(), err)
	}
	if err := CheckCompatible(tools.Major, serverNum/10000); err != nil {
		return backup.Dump{}, err
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return backup.Dump{}, err
	}
	defer tx.Rollback()
	var snapshotID string
	var snapshotAt time.Time
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot(), clock_timestamp()").Scan(&snapshotID, &snapshotAt); err != nil {
		return backup.Dump{}, fmt.Errorf("export snapshot: %w", err)
	}
	tables, err := count(ctx, tx)
	if err != nil {
		return backup.Dump{}, err
	}
	cmd, err := s.command(ctx, tools.Dump, s.URL, "--format=custom", "--snapshot="+snapshotID, "--no-password", "--file="+path)
	if err != nil {
		return backup.Dump{}, err
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return backup.Dump{}, fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(string(out)))
	}
	if err := tx.Commit(); err != nil {
		return backup.Dump{}, err
	}
	if err := fsync(path); err != nil {
		return backup.Dump{}, err
	}
	var serverVersion string
	db.QueryRowContext(ctx, "SHOW server_version").Scan(&serverVersion)
	return backup.Dump{Tables: tables, SnapshotAt: snapshotAt.UTC(), Tools: map[string]string{
		"pg_dump": tools.Version, "postgres_server": serverVersion,
	}}, nil
}

// command builds a pg_dump or pg_restore invocation for the database at
// rawURL, passing the password through the environment rather than the
// command line, where other users could read it.
func (s *Source) command(ctx context.Context, bin, rawURL string, args ...string) (*exec.Cmd, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "--dbname="+u.String())...)
	cmd.Env = env
	return cmd, nil
}

// Scratch implements backup.Source: a new, empty database on the scratch
// server, dropped by the cleanup function.
func (s *Source) Scratch(ctx context.Context, label string) (string, func(), error) {
	b := make([]byte, 5)
	rand.Read(b)
	name := "warden_" + label + "_" + hex.EncodeToString(b)
	admin, err := s.admin()
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create scratch database %s: %w (the role needs CREATEDB, or set scratch_url)", name, err)
	}
	loc, err := withDatabase(s.scratchURL(), name)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	return loc, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}, nil
}

func (s *Source) scratchURL() string {
	if s.ScratchURL != "" {
		return s.ScratchURL
	}
	return s.URL
}

func (s *Source) admin() (*sql.DB, error) {
	return sql.Open("pgx", s.scratchURL())
}

// Restore implements backup.Source: pg_restore in one transaction into
// location, which is created when it does not exist and must otherwise be
// empty unless force (then existing objects are dropped first).
func (s *Source) Restore(ctx context.Context, path, location string, force bool) error {
	tools, err := FindTools(ctx, s.BinDir)
	if err != nil {
		return err
	}
	if err := ensureDatabase(ctx, location, force); err != nil {
		return err
	}
	args := []string{"--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", "--no-password"}
	if force {
		args = append(args, "--clean", "--if-exists")
	}
	cmd, err := s.command(ctx, tools.Restore, location, append(args, path)...)
	if err != nil {
		return err
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_restore: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// ensureDatabase creates location's database if it is missing, and refuses
// one that already holds tables unless force.
func ensureDatabase(ctx context.Context, location string, force bool) error {
	db, err := sql.Open("pgx", location)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`).Scan(&n)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name: no such database
		return createDatabase(ctx, location)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", backup.RedactURL(location), err)
	}
	if n > 0 && !force {
		return fmt.Errorf("database %s already holds %d tables; restore into a new database or pass --force to replace them", backup.RedactURL(location), n)
	}
	return nil
}

func createDatabase(ctx context.Context, location string) error {
	u, err := url.Parse(location)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	maint, err := withDatabase(location, "postgres")
	if err != nil {
		return err
	}
	db, err := sql.Open("pgx", maint)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// Inspect implements backup.Source. pg_restore --exit-on-error in one
// transaction has already proved every object loads; Inspect counts rows.
func (s *Source) Inspect(ctx context.Context, location string) (backup.Inspection, error) {
	db, err := sql.Open("pgx", location)
	if err != nil {
		return backup.Inspection{}, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return backup.Inspection{}, err
	}
	defer tx.Rollback()
	tables, err := count(ctx, tx)
	if err != nil {
		return backup.Inspection{}, err
	}
	return backup.Inspection{Integrity: "ok", Tables: tables}, nil
}

// IsLive implements backup.Source: same host, port and database name.
func (s *Source) IsLive(location string) (bool, error) {
	a, err := dbKey(s.URL)
	if err != nil {
		return false, err
	}
	b, err := dbKey(location)
	if err != nil {
		return false, fmt.Errorf("--to %q is not a postgres:// URL: %w", backup.RedactURL(location), err)
	}
	return a == b, nil
}

func dbKey(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("scheme %q is not postgres", u.Scheme)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "5432"
	}
	return host + ":" + port + "/" + strings.TrimPrefix(u.Path, "/"), nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// count returns the row count of every user table, keyed schema.table.
func count(ctx context.Context, q querier) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
		AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	type tbl struct{ schema, name string }
	var tables []tbl
	for rows.Next() {
		var t tbl
		if err := rows.Scan(&t.schema, &t.name); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(t.schema)+"."+quoteIdent(t.name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s.%s: %w", t.schema, t.name, err)
		}
		out[t.schema+"."+t.name] = n
	}
	return out, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func withDatabase(raw, name string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func fsync(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
