package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
)

func TestDatabaseRefusesChange(t *testing.T) {
	forEach(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.appendN(t, 3)
		if _, err := e.svc.CheckpointNow(context.Background(), audit.CheckpointManual); err != nil {
			t.Fatal(err)
		}
		refused := []string{
			"UPDATE audit_events SET outcome = 'failure' WHERE seq = 1",
			"DELETE FROM audit_events WHERE seq = 2",
			"DELETE FROM audit_events",
			"UPDATE audit_checkpoints SET size = 1",
			"DELETE FROM audit_checkpoints",
		}
		if db.Dialect == store.Postgres {
			refused = append(refused, "TRUNCATE audit_events", "TRUNCATE audit_checkpoints")
		}
		for _, q := range refused {
			_, err := db.ExecContext(context.Background(), q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want a refusal naming append-only", q, err)
			}
		}
		// A hand-made permit cannot clear recent events: the trigger's own
		// floor (now minus a day) bounds every permit's cutoff.
		err := db.InTx(context.Background(), func(tx *store.Tx) error {
			if _, err := tx.ExecContext(context.Background(), "INSERT INTO audit_retention_permits (up_to_seq, cutoff) VALUES (?, ?)",
				100, time.Now().Add(time.Hour).UnixMilli()); err != nil {
				return err
			}
			_, err := tx.ExecContext(context.Background(), "DELETE FROM audit_events WHERE seq = 0")
			return err
		})
		if err == nil {
			t.Error("a permit with a cutoff in the future deleted an event")
		}
		mustOK(t, e.verify(t))
	})
}

func TestRetentionRemovesOnlyOldEvents(t *testing.T) {
	forEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, func(o *audit.Options) { o.Retention = 2 * 365 * 24 * time.Hour })
		old := e.appendN(t, 10) // recorded in March 2018
		e.clk.Advance(365 * 24 * time.Hour)
		young := e.appendN(t, 5) // March 2019
		if _, err := e.svc.CheckpointNow(ctx, audit.CheckpointManual); err != nil {
			t.Fatal(err)
		}
		// Nothing is two years old yet.
		res, err := e.svc.ApplyRetention(ctx)
		if err != nil || res.Removed != 0 {
			t.Fatalf("early retention removed %+v, %v", res, err)
		}
		e.clk.Advance(400 * 24 * time.Hour) // April 2020: the 2018 events are over two years old
		res, err = e.svc.ApplyRetention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Removed != int64(len(old)) || res.From != 0 || res.To != 10 {
			t.Fatalf("retention = %+v, want the 10 events of 2018", res)
		}
		for _, r := range young {
			if _, err := e.svc.Get(ctx, r.Seq); err != nil {
				t.Fatalf("young event %d is gone: %v", r.Seq, err)
			}
		}
		if _, err := e.svc.Get(ctx, old[0].Seq); err == nil {
			t.Fatal("old event still there")
		}
		// Again: nothing more is old enough.
		if res, err := e.svc.ApplyRetention(ctx); err != nil || res.Removed != 0 {
			t.Fatalf("second run %+v %v", res, err)
		}
		rep := e.verify(t)
		mustOK(t, rep)
		if rep.First != 10 || rep.Size != 16 { // 15 events + the retention run's own audit event
			t.Fatalf("report %+v", rep)
		}
		// Proofs still work for the kept events, over the removed ones.
		if _, err := e.svc.CheckpointNow(ctx, audit.CheckpointManual); err != nil {
			t.Fatal(err)
		}
		for _, r := range young {
			p, err := e.svc.InclusionProof(ctx, r.Seq)
			if err != nil {
				t.Fatal(err)
			}
			checkProof(t, p, nil)
		}
		// The checkpoints list records the removal, signed.
		cps, _ := e.svc.Checkpoints(ctx)
		found := false
		for _, cp := range cps {
			if cp.Kind == audit.CheckpointRetention && cp.Removed != nil && cp.Removed.Count == 10 && cp.VerifySignature(e.signer.PublicKey()) == nil {
				found = true
			}
		}
		if !found {
			t.Fatalf("no signed retention checkpoint in %+v", cps)
		}
	})
}

func TestRetentionKeepsTheHead(t *testing.T) {
	e := newEnv(t, freshSQLite(t), func(o *audit.Options) { o.Retention = 24 * time.Hour })
	e.appendN(t, 3)
	e.clk.Advance(48 * time.Hour)
	res, err := e.svc.ApplyRetention(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed != 2 {
		t.Fatalf("removed %d, want 2 (the newest stays as the chain head)", res.Removed)
	}
	e.appendN(t, 2)
	mustOK(t, e.verify(t))
}

// Retention's cut is found by a binary search on seq (no index on
// recorded_at), made exact afterwards: it must equal the lowest seq
// recorded at or after the cutoff even when the clock stepped back.
func TestFirstSeqAtOrAfterMatchesAScan(t *testing.T) {
	forEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		st := newStore(db)
		if got, err := st.FirstSeqAtOrAfter(ctx, start); err != nil || got != 0 {
			t.Fatalf("empty trail: %d, %v; want 0", got, err)
		}
		// Recorded times by seq: increasing, then a step back of 3 days
		// (seq 9..11), then increasing again.
		var recorded []time.Time
		for i := range 20 {
			switch i {
			case 9:
				e.clk.Advance(-72 * time.Hour)
			default:
				e.clk.Advance(24 * time.Hour)
			}
			e.appendN(t, 1)
			recorded = append(recorded, e.clk.Now())
		}
		for d := -2; d <= 24; d++ {
			cutoff := start.Add(time.Duration(d)*24*time.Hour + time.Hour)
			want := int64(len(recorded))
			for seq, r := range recorded {
				if !r.Before(cutoff) {
					want = int64(seq)
					break
				}
			}
			got, err := st.FirstSeqAtOrAfter(ctx, cutoff)
			if err != nil || got != want {
				t.Fatalf("cutoff day %d: %d, %v; want %d", d, got, err, want)
			}
		}
	})
}
