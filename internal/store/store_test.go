package store_test

import (
	"context"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

var testMigrations = store.MigrationSet{Component: "test", FS: fstest.MapFS{
	"0001_things.sql":        {Data: []byte("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE INDEX things_name ON things (name);")},
	"0002_blob.sqlite.sql":   {Data: []byte("ALTER TABLE things ADD COLUMN data BLOB;")},
	"0002_blob.postgres.sql": {Data: []byte("ALTER TABLE things ADD COLUMN data BYTEA;")},
	"0003_question.sql":      {Data: []byte("INSERT INTO things (id, name) VALUES (100, 'why?');")},
	"README.md":              {Data: []byte("not a migration")},
}}

func TestMigrateAndQueryOnEveryEngine(t *testing.T) {
	storetest.ForEach(t, []store.MigrationSet{testMigrations}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Applying again is a no-op.
		if err := db.Migrate(ctx, testMigrations); err != nil {
			t.Fatal(err)
		}
		var applied int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE component = ?", "test").Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if applied != 3 {
			t.Fatalf("applied = %d, want 3", applied)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO things (id, name, data) VALUES (?, ?, ?)", 1, "a", []byte{0, 1, 2})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var name string
		var data []byte
		if err := db.QueryRowContext(ctx, "SELECT name, data FROM things WHERE id = ? AND name <> 'x?'", 1).Scan(&name, &data); err != nil {
			t.Fatal(err)
		}
		if name != "a" || len(data) != 3 || data[2] != 2 {
			t.Fatalf("read back %q %v", name, data)
		}
		if err := db.QueryRowContext(ctx, "SELECT name FROM things WHERE id = ?", 100).Scan(&name); err != nil || name != "why?" {
			t.Fatalf("migration 3 inserted %q, %v", name, err)
		}
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConcurrentWritersDoNotFail(t *testing.T) {
	storetest.ForEach(t, []store.MigrationSet{testMigrations}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					errs <- db.InTx(ctx, func(tx *store.Tx) error {
						var n int
						if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM things").Scan(&n); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, "INSERT INTO things (id, name) VALUES (?, ?)", 1000+w*100+i, "c")
						return err
					})
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestRebind(t *testing.T) {
	db := &store.DB{Dialect: store.Postgres}
	got := db.Rebind(`SELECT a FROM t WHERE b = ? AND c = '?' AND d = ? AND "e?" = ?`)
	want := `SELECT a FROM t WHERE b = $1 AND c = '?' AND d = $2 AND "e?" = $3`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if s := (&store.DB{Dialect: store.SQLite}).Rebind("a = ?"); s != "a = ?" {
		t.Fatalf("sqlite rebind changed the query: %s", s)
	}
}

func TestMigrationNamesAreChecked(t *testing.T) {
	db := storetest.SQLite(t)
	bad := store.MigrationSet{Component: "bad", FS: fstest.MapFS{"first.sql": {Data: []byte("SELECT 1")}}}
	if err := db.Migrate(context.Background(), bad); err == nil {
		t.Fatal("a migration without a version number was accepted")
	}
	broken := store.MigrationSet{Component: "broken", FS: fstest.MapFS{"0001_x.sql": {Data: []byte("CREATE TABLEX nope")}}}
	if err := db.Migrate(context.Background(), broken); err == nil {
		t.Fatal("broken SQL was accepted")
	}
}
