package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

// secondHandle opens another connection pool on the same database, as a
// second Warden instance would.
func secondHandle(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	ctx := context.Background()
	opts := store.Options{DataDir: filepath.Dir(db.Path)}
	if db.Dialect == store.Postgres {
		var name string
		if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		opts = store.Options{URL: storetest.WithDatabase(t, storetest.PostgresURL(t), name)}
	}
	other, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// TestTwoInstancesDoNotForkTheChain runs two services, each with its own
// writer goroutine and connection pool, against one database: the store's
// lock (an advisory lock on PostgreSQL, the write lock on SQLite) must
// serialise them into one chain.
func TestTwoInstancesDoNotForkTheChain(t *testing.T) {
	forEach(t, func(t *testing.T, db *store.DB) {
		a := newEnv(t, db)
		b := newEnv(t, secondHandle(t, db), func(o *audit.Options) {
			o.Signer = a.signer // one key, as two instances of one deployment share
		})
		ctx := context.Background()
		const workers, rounds = 4, 10
		var wg sync.WaitGroup
		errs := make(chan error, 2*workers*rounds)
		for _, e := range []*env{a, b} {
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range rounds {
						ev1, ev2 := event(i), event(i+1)
						ev1.ID, ev2.ID = fmt.Sprintf("%p-%d-%d-a", e, w, i), fmt.Sprintf("%p-%d-%d-b", e, w, i)
						if _, err := e.svc.Append(ctx, ev1, ev2); err != nil {
							errs <- err
						}
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if _, err := b.svc.CheckpointNow(ctx, audit.CheckpointManual); err != nil {
			t.Fatal(err)
		}
		for _, e := range []*env{a, b} {
			rep := e.verify(t)
			mustOK(t, rep)
			if rep.Size != 2*workers*rounds*2 {
				t.Fatalf("trail holds %d events, want %d", rep.Size, 2*workers*rounds*2)
			}
		}
	})
}
