// Package store opens Warden's relational database (SQLite by default,
// PostgreSQL when a postgres:// URL is configured) and applies versioned
// migrations. Domain adapters write their SQL with ? placeholders once; DB
// rewrites them for PostgreSQL, so one adapter serves both engines.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The engines Warden stores relational state in.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a database handle that knows its dialect. Its Exec, Query and
// QueryRow methods take ? placeholders on both engines.
type DB struct {
	*sql.DB
	Dialect Dialect
	// Path is the SQLite file (empty on PostgreSQL); backups use it.
	Path string
}

// Options says where the database is.
type Options struct {
	// URL is empty for SQLite, or a postgres:// URL.
	URL string
	// DataDir holds warden.db when URL is empty.
	DataDir string
}

// Open connects to the database and checks that it answers.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if strings.HasPrefix(opts.URL, "postgres://") || strings.HasPrefix(opts.URL, "postgresql://") {
		return openPostgres(ctx, opts.URL)
	}
	if opts.URL != "" {
		return nil, fmt.Errorf("open database: %q is neither empty (SQLite) nor a postgres:// URL", opts.URL)
	}
	if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("open database: create data dir: %w", err)
	}
	return openSQLite(ctx, filepath.Join(opts.DataDir, "warden.db"))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// WAL lets readers run beside the one writer; busy_timeout makes writers
	// queue rather than fail; immediate transactions take the write lock up
	// front so two writers never deadlock upgrading from a read lock.
	// synchronous=FULL because an acknowledged audit event or alert must
	// survive a power cut, not only a crash of the process.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{DB: sqlDB, Dialect: SQLite, Path: path}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open postgres: %w (is the server running and the URL right?)", err)
	}
	return &DB{DB: sqlDB, Dialect: Postgres}, nil
}

// Rebind rewrites ? placeholders as $1, $2, ... for PostgreSQL. It leaves
// question marks inside quoted strings alone.
func (db *DB) Rebind(query string) string {
	if db.Dialect != Postgres || !strings.Contains(query, "?") {
		return query
	}
	return rebind(query)
}

func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ExecContext runs a statement written with ? placeholders.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.DB.ExecContext(ctx, db.Rebind(query), args...)
}

// QueryContext runs a query written with ? placeholders.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.DB.QueryContext(ctx, db.Rebind(query), args...)
}

// QueryRowContext runs a query written with ? placeholders.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return db.DB.QueryRowContext(ctx, db.Rebind(query), args...)
}

// Tx is a transaction that takes ? placeholders.
type Tx struct {
	*sql.Tx
	db *DB
}

// ExecContext runs a statement written with ? placeholders.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(ctx, tx.db.Rebind(query), args...)
}

// QueryContext runs a query written with ? placeholders.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(ctx, tx.db.Rebind(query), args...)
}

// QueryRowContext runs a query written with ? placeholders.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(ctx, tx.db.Rebind(query), args...)
}

// InTx runs fn in a transaction, committing if it returns nil and rolling
// back otherwise.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{Tx: sqlTx, db: db}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// Ping reports whether the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}
