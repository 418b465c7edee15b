package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/store"
)

func TestQueryFiltersAndPages(t *testing.T) {
	forEach(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.appendN(t, 9) // actors user-0, user-1, user-2 in turn
		e.clk.Advance(time.Hour)
		failed := event(50)
		failed.Action, failed.Outcome = "auth.login.failure", audit.Failure
		svc := audit.Event{Actor: audit.Actor{Type: audit.ActorService, ID: "billing"}, Action: "payment.refunded",
			Target: audit.Target{Type: "payment", ID: "pay-3"}, Outcome: audit.Success}
		if _, err := e.svc.Append(ctx, failed, svc); err != nil {
			t.Fatal(err)
		}
		count := func(q audit.Query) int64 {
			t.Helper()
			n, err := e.svc.Count(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		tests := []struct {
			name string
			q    audit.Query
			want int64
		}{
			{"all", audit.Query{}, 11},
			{"user actor by real id", audit.Query{ActorID: "user-1"}, 3},
			{"service actor", audit.Query{ActorType: "service", ActorID: "billing"}, 1},
			{"action prefix", audit.Query{Action: "payment.*"}, 10},
			{"exact action", audit.Query{Action: "auth.login.failure"}, 1},
			{"outcome", audit.Query{Outcome: "failure"}, 1},
			{"target", audit.Query{TargetType: "payment", TargetID: "pay-3"}, 2},
			{"time range", audit.Query{From: start.Add(30 * time.Minute)}, 2},
			{"before range", audit.Query{To: start.Add(30 * time.Minute)}, 9},
		}
		for _, tt := range tests {
			if got := count(tt.q); got != tt.want {
				t.Errorf("%s: count = %d, want %d", tt.name, got, tt.want)
			}
		}
		// Newest first by default, paged with a cursor.
		page, err := e.svc.Query(ctx, audit.Query{Limit: 4})
		if err != nil || len(page) != 4 || page[0].Seq != 10 {
			t.Fatalf("first page %v %v", seqs(page), err)
		}
		before := page[3].Seq
		next, _ := e.svc.Query(ctx, audit.Query{Limit: 4, Before: &before})
		if len(next) != 4 || next[0].Seq != before-1 {
			t.Fatalf("second page %v after %v", seqs(next), seqs(page))
		}
		// Views show real user ids, and the pseudonym that was hashed.
		v, _ := e.svc.Get(ctx, 1)
		if v.Actor.ID != "user-1" || !strings.HasPrefix(v.Actor.Pseudonym, "psn_") || v.Details["amount"] != json.Number("100") {
			t.Fatalf("view %+v", v)
		}
	})
}

func seqs(vs []audit.View) []int64 {
	var out []int64
	for _, v := range vs {
		out = append(out, v.Seq)
	}
	return out
}

func TestErasureUnlinksWithoutBreakingTheChain(t *testing.T) {
	forEach(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.appendN(t, 6)
		// The user id never reaches the hashed bytes.
		var raw []byte
		db.QueryRowContext(ctx, "SELECT canonical FROM audit_events WHERE seq = 1").Scan(&raw)
		if bytes.Contains(raw, []byte("user-1")) {
			t.Fatalf("user id in hashed bytes: %s", raw)
		}
		if n, _ := e.svc.Count(ctx, audit.Query{ActorID: "user-1"}); n != 2 {
			t.Fatalf("before erasure: %d events for user-1", n)
		}
		ok, err := e.svc.EraseSubject(ctx, "user-1")
		if err != nil || !ok {
			t.Fatalf("erase: %v %v", ok, err)
		}
		if n, _ := e.svc.Count(ctx, audit.Query{ActorID: "user-1"}); n != 0 {
			t.Fatalf("after erasure user-1 still has %d events", n)
		}
		v, _ := e.svc.Get(ctx, 1)
		if !v.Actor.Erased || v.Actor.ID == "user-1" {
			t.Fatalf("erased actor shown as %+v", v.Actor)
		}
		last, _ := e.svc.Query(ctx, audit.Query{Limit: 1})
		if last[0].Action != "admin.audit.subject_erase" || last[0].Target.ID != v.Actor.Pseudonym {
			t.Fatalf("erasure not recorded: %+v", last[0])
		}
		mustOK(t, e.verify(t))
		// A redirected pseudonym is caught.
		sqlExec(t, db, "UPDATE audit_subjects SET subject = 'someone-else' WHERE subject = 'user-2'")
		rep := e.verify(t)
		if rep.OK || rep.Problem.Kind != audit.ProblemSubject {
			t.Fatalf("edited subject mapping: %+v", rep)
		}
	})
}

func TestExports(t *testing.T) {
	e := newEnv(t, freshSQLite(t))
	ctx := context.Background()
	e.appendN(t, 7)
	var jsonl bytes.Buffer
	n, err := e.svc.Export(ctx, audit.Query{}, &jsonl, audit.FormatJSONL)
	if err != nil || n != 7 || strings.Count(jsonl.String(), "\n") != 7 {
		t.Fatalf("jsonl: %d %v\n%s", n, err, jsonl.String())
	}
	var first audit.View
	json.Unmarshal([]byte(strings.SplitN(jsonl.String(), "\n", 2)[0]), &first)
	if first.Seq != 0 || first.Actor.ID != "user-0" {
		t.Fatalf("export is not oldest first with real ids: %+v", first)
	}
	var csvOut bytes.Buffer
	if _, err := e.svc.Export(ctx, audit.Query{Action: "payment.initiated"}, &csvOut, audit.FormatCSV); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&csvOut).ReadAll()
	if err != nil || len(rows) != 8 || rows[0][0] != "seq" || rows[1][6] != "user-0" {
		t.Fatalf("csv %v %v", rows, err)
	}
	if _, err := e.svc.Export(ctx, audit.Query{}, &csvOut, "xml"); err == nil {
		t.Fatal("unknown format accepted")
	}

	// A user's own export names only their events, and is itself recorded
	// with the admin who asked.
	adminCtx := auth.WithPrincipal(ctx, auth.Principal{Name: "ops", Kind: "token", Scopes: []string{"audit"}})
	var mine bytes.Buffer
	n, err = e.svc.ExportUser(adminCtx, "user-2", &mine, audit.FormatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 { // events 2 and 5, and the export record that targets the user
		t.Fatalf("user export wrote %d events:\n%s", n, mine.String())
	}
	last, _ := e.svc.Query(ctx, audit.Query{Limit: 1})
	if last[0].Action != "admin.audit.export" || last[0].Actor.ID != "token:ops" || last[0].Target.ID != "user-2" {
		t.Fatalf("export not audited: %+v", last[0])
	}
}
