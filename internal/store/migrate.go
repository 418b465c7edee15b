package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MigrationSet is one component's migrations: files named NNNN_name.sql in
// FS, applied in order. A file NNNN_name.postgres.sql or NNNN_name.sqlite.sql
// replaces NNNN_name.sql on that engine, so both engines share one history
// of versions while their SQL may differ.
type MigrationSet struct {
	Component string
	FS        fs.FS
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrateLockKey is the PostgreSQL advisory lock that serialises migrations
// when several Warden instances start against one database at once.
const migrateLockKey = 0x77617264656e // "warden"

// Migrate applies every migration not yet applied, component by component,
// each in its own transaction.
func (db *DB) Migrate(ctx context.Context, sets ...MigrationSet) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if db.Dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
			return fmt.Errorf("migrate: take lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
		applied_at TEXT NOT NULL, PRIMARY KEY (component, version))`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, set := range sets {
		migs, err := db.loadMigrations(set)
		if err != nil {
			return err
		}
		for _, m := range migs {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				return fmt.Errorf("migrate %s: %w", set.Component, err)
			}
			var n int
			if err := tx.QueryRowContext(ctx, db.Rebind("SELECT COUNT(*) FROM schema_migrations WHERE component = ? AND version = ?"), set.Component, m.version).Scan(&n); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate %s: %w", set.Component, err)
			}
			if n > 0 {
				tx.Rollback()
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate %s %04d_%s: %w", set.Component, m.version, m.name, err)
			}
			if _, err := tx.ExecContext(ctx, db.Rebind("INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)"),
				set.Component, m.version, m.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate %s: record %04d: %w", set.Component, m.version, err)
			}
			if err := tx.Commit(); err != nil {
				return fmt.Errorf("migrate %s %04d_%s: commit: %w", set.Component, m.version, m.name, err)
			}
		}
	}
	return nil
}

func (db *DB) loadMigrations(set MigrationSet) ([]migration, error) {
	entries, err := fs.ReadDir(set.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("migrate %s: %w", set.Component, err)
	}
	byVersion := map[int]migration{}
	specific := map[int]bool{}
	for _, e := range entries {
		fname := e.Name()
		if e.IsDir() || path.Ext(fname) != ".sql" {
			continue
		}
		base := strings.TrimSuffix(fname, ".sql")
		engine := ""
		if i := strings.LastIndexByte(base, '.'); i >= 0 {
			base, engine = base[:i], base[i+1:]
		}
		if engine != "" && engine != string(SQLite) && engine != string(Postgres) {
			return nil, fmt.Errorf("migrate %s: %s: unknown engine %q", set.Component, fname, engine)
		}
		if engine != "" && engine != string(db.Dialect) {
			continue
		}
		num, name, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migrate %s: %s: want a name like 0001_create_things.sql", set.Component, fname)
		}
		if specific[version] && engine == "" {
			continue // the engine's own file wins
		}
		body, err := fs.ReadFile(set.FS, fname)
		if err != nil {
			return nil, err
		}
		if old, dup := byVersion[version]; dup && (engine == "") == !specific[version] {
			return nil, fmt.Errorf("migrate %s: version %d appears twice (%s and %s)", set.Component, version, old.name, name)
		}
		byVersion[version] = migration{version: version, name: name, sql: string(body)}
		specific[version] = engine != ""
	}
	out := make([]migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}
