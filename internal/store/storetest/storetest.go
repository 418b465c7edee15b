// Package storetest runs a test against every database engine Warden
// supports: SQLite always, and PostgreSQL when WARDEN_TEST_POSTGRES_URL
// points at a server (.ci/run starts one). Each run gets a fresh database.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/store"
)

// PostgresURLEnv names the environment variable with the PostgreSQL server
// the tests may create databases on.
const PostgresURLEnv = "WARDEN_TEST_POSTGRES_URL"

// ForEach runs fn once per engine, as a subtest named after it, with a
// fresh, migrated database.
func ForEach(t *testing.T, sets []store.MigrationSet, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t, sets...)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t, sets...)) })
}

// SQLite opens a fresh SQLite database in a temporary directory.
func SQLite(t testing.TB, sets ...store.MigrationSet) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db, sets)
	return db
}

// Postgres creates a fresh database on the test server and opens it. It
// skips the test, saying why, when no server is configured, and fails
// instead when running in CI, where a skip would hide a missing server.
func Postgres(t testing.TB, sets ...store.MigrationSet) *store.DB {
	t.Helper()
	u := PostgresURL(t)
	name := "wt_" + randomHex(6)
	admin, err := store.Open(context.Background(), store.Options{URL: u})
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresURLEnv, err)
	}
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	db, err := store.Open(context.Background(), store.Options{URL: WithDatabase(t, u, name)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	})
	migrate(t, db, sets)
	return db
}

// PostgresURL returns the test server's URL, or skips (fails in CI).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresURLEnv)
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set in CI: .ci/run must start PostgreSQL", PostgresURLEnv)
		}
		t.Skipf("PostgreSQL tests skipped: set %s (bash .ci/postgres.sh prints one)", PostgresURLEnv)
	}
	return u
}

// WithDatabase returns the server URL u pointing at database name.
func WithDatabase(t testing.TB, u, name string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatalf("%s: %v", PostgresURLEnv, err)
	}
	parsed.Path = "/" + name
	return parsed.String()
}

func migrate(t testing.TB, db *store.DB, sets []store.MigrationSet) {
	t.Helper()
	if err := db.Migrate(context.Background(), sets...); err != nil {
		t.Fatal(err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
