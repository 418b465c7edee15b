package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/audit/auditsql"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

var sets = []store.MigrationSet{auditsql.Migrations}

// start is far enough in the past that retention tests can cut events
// without the database's own floor (cutoff older than now minus a day)
// refusing them.
var start = time.Date(2018, 3, 1, 9, 0, 0, 0, time.UTC)

type env struct {
	svc     *audit.Service
	db      *store.DB
	clk     *clock.Fake
	cpFile  string
	keyFile string
	signer  *audit.Signer
}

type option func(*audit.Options)

func newEnv(t testing.TB, db *store.DB, opts ...option) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{db: db, clk: clock.NewFake(start), cpFile: filepath.Join(dir, "checkpoints.jsonl"), keyFile: filepath.Join(dir, "keys", "audit.key")}
	signer, created, err := audit.LoadOrCreateSigner(e.keyFile)
	if err != nil || !created {
		t.Fatalf("create key: %v %v", created, err)
	}
	e.signer = signer
	o := audit.Options{
		Store: auditsql.New(db), Clock: e.clk, Signer: signer,
		Publishers: []audit.Publisher{&audit.FilePublisher{Path: e.cpFile}}, CheckpointFile: e.cpFile,
	}
	for _, f := range opts {
		f(&o)
	}
	svc, err := audit.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Stop(context.Background()) })
	e.svc = svc
	return e
}

func event(i int) audit.Event {
	return audit.Event{
		Actor:  audit.Actor{Type: audit.ActorUser, ID: fmt.Sprintf("user-%d", i%3)},
		Action: "payment.initiated", Target: audit.Target{Type: "payment", ID: fmt.Sprintf("pay-%d", i)},
		Outcome: audit.Success, ClientIP: "203.0.113.7", UserAgent: "test/1.0", RequestID: fmt.Sprintf("req-%d", i),
		Details: map[string]any{"amount": i * 100, "currency": "EUR"},
	}
}

// appendN appends n events, one append each, and returns their receipts.
func (e *env) appendN(t testing.TB, n int) []audit.Receipt {
	t.Helper()
	var out []audit.Receipt
	for i := range n {
		r, err := e.svc.Append(context.Background(), event(i))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r...)
	}
	return out
}

func (e *env) verify(t testing.TB) *audit.VerifyReport {
	t.Helper()
	rep, err := e.svc.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func mustOK(t testing.TB, rep *audit.VerifyReport) {
	t.Helper()
	if !rep.OK {
		t.Fatalf("verify failed: %v (%+v)", rep.Problem, rep)
	}
}

func forEach(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	storetest.ForEach(t, sets, fn)
}

func newStore(db *store.DB) audit.Store { return auditsql.New(db) }

// freshLike returns a new, migrated database on the same engine as db.
func freshLike(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	if db.Dialect == store.Postgres {
		return storetest.Postgres(t, sets...)
	}
	return storetest.SQLite(t, sets...)
}

func freshSQLite(t testing.TB) *store.DB { return storetest.SQLite(t, sets...) }
