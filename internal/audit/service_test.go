package audit_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

func TestConcurrentAppendsFormOneChain(t *testing.T) {
	forEach(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 5 {
					batch := []audit.Event{event(w*10 + i), event(w*10 + i + 100)}
					if _, err := e.svc.Append(ctx, batch...); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		rep := e.verify(t)
		mustOK(t, rep)
		if rep.Events != 80 || rep.Size != 80 {
			t.Fatalf("report %+v", rep)
		}
		if _, err := e.svc.CheckpointNow(ctx, audit.CheckpointManual); err != nil {
			t.Fatal(err)
		}
		rep = e.verify(t)
		mustOK(t, rep)
		if rep.Checkpoints != 2 || rep.Published != 1 {
			t.Fatalf("checkpoints checked: %+v", rep)
		}
	})
}

func TestDuplicateIDsAreStoredOnce(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t, sets...))
	ctx := context.Background()
	ev := event(1)
	ev.ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
	first, err := e.svc.Append(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.Append(ctx, ev, ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 2 || !again[0].Duplicate || !again[1].Duplicate || again[0].Seq != first[0].Seq || again[0].Hash != first[0].Hash {
		t.Fatalf("first %+v, again %+v", first, again)
	}
	n, err := e.svc.Count(ctx, audit.Query{})
	if err != nil || n != 1 {
		t.Fatalf("count = %d, %v", n, err)
	}
}

func TestFullQueueAnswersBusyAtOnce(t *testing.T) {
	db := storetest.SQLite(t, sets...)
	svc, err := audit.New(audit.Options{Store: newStore(db), QueueSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	// The writer is not started yet, so queued events stay queued.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := svc.Append(ctx, event(1), event(2), event(3)); done <- err }()
	time.Sleep(10 * time.Millisecond) // let it queue; the assertion below does not depend on timing
	began := time.Now()
	_, err = svc.Append(context.Background(), event(4))
	var busy *audit.BusyError
	if !errors.As(err, &busy) || busy.RetryAfter <= 0 {
		if err == nil {
			// The first append had not queued yet: the bound was not hit.
			t.Skip("first append not queued in time")
		}
		t.Fatalf("err = %v, want *BusyError", err)
	}
	if time.Since(began) > time.Second {
		t.Fatal("a full queue made the caller wait")
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := svc.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, _ := svc.Count(context.Background(), audit.Query{})
	if n != 3 {
		t.Fatalf("queued events stored: %d, want 3 (Stop must drain)", n)
	}
	if _, err := svc.Append(context.Background(), event(5)); !errors.Is(err, audit.ErrClosed) {
		t.Fatalf("append after stop: %v", err)
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t, sets...))
	future := start.Add(time.Hour)
	tests := []struct {
		name  string
		edit  func(*audit.Event)
		field string
		msg   string
	}{
		{"unknown action", func(ev *audit.Event) { ev.Action = "payment.initiatd" }, "action", "unknown action \"payment.initiatd\""},
		{"malformed action", func(ev *audit.Event) { ev.Action = "Payment Done" }, "action", "dotted lower-case"},
		{"no actor type", func(ev *audit.Event) { ev.Actor.Type = "" }, "actor.type", "required"},
		{"bad actor type", func(ev *audit.Event) { ev.Actor.Type = "robot" }, "actor.type", "not user, service or admin"},
		{"no actor id", func(ev *audit.Event) { ev.Actor.ID = "" }, "actor.id", "required"},
		{"bad outcome", func(ev *audit.Event) { ev.Outcome = "ok" }, "outcome", "not success, failure or denied"},
		{"bad ip", func(ev *audit.Event) { ev.ClientIP = "999.1.1.1" }, "client_ip", "not an IP"},
		{"target without id", func(ev *audit.Event) { ev.Target.ID = "" }, "target.id", "required"},
		{"future", func(ev *audit.Event) { ev.Time = future }, "time", "future"},
		{"bad id", func(ev *audit.Event) { ev.ID = "a b" }, "id", "letters"},
		{"huge details", func(ev *audit.Event) { ev.Details = map[string]any{"x": strings.Repeat("a", 20000)} }, "details", "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := event(1)
			tt.edit(&ev)
			_, err := e.svc.Append(context.Background(), ev)
			var fe *audit.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(fe.Msg, tt.msg) {
				t.Fatalf("err = %v, want field %s with %q", err, tt.field, tt.msg)
			}
		})
	}
	// In a batch the field names the event.
	bad := event(2)
	bad.Outcome = "meh"
	_, err := e.svc.Append(context.Background(), event(1), bad)
	var fe *audit.FieldError
	if !errors.As(err, &fe) || fe.Field != "[1].outcome" {
		t.Fatalf("batch error %v", err)
	}
}

func TestTaxonomy(t *testing.T) {
	if n := len(audit.DefaultActions); n < 30 {
		t.Fatalf("only %d default actions", n)
	}
	for _, a := range audit.DefaultActions {
		if !audit.ValidAction(a) {
			t.Errorf("default action %q is malformed", a)
		}
	}
	tax, err := audit.NewTaxonomy([]string{"loan.applied"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if tax.Check("loan.applied") != nil || tax.Check("auth.login.success") != nil || tax.Check("loan.denied") == nil {
		t.Fatal("extension or default not honoured")
	}
	free, _ := audit.NewTaxonomy(nil, true)
	if free.Check("anything.goes") != nil || free.Check("Not An Action") == nil {
		t.Fatal("free actions must still be well-formed")
	}
	if _, err := audit.NewTaxonomy([]string{"Bad"}, false); err == nil {
		t.Fatal("malformed extension accepted")
	}
}

// Every instance sees the latest verification, also after a restart.
func TestLatestVerificationIsShared(t *testing.T) {
	forEach(t, func(t *testing.T, db *store.DB) {
		a := newEnv(t, db)
		a.appendN(t, 3)
		ctx := context.Background()
		if rep, _, err := a.svc.LatestVerification(ctx); err != nil || rep != nil {
			t.Fatalf("before any verification: %v %v", rep, err)
		}
		mustOK(t, a.verify(t))
		b := newEnv(t, db) // another instance, or this one restarted
		rep, at, err := b.svc.LatestVerification(ctx)
		if err != nil || rep == nil || !rep.OK || rep.Events != 3 || !at.Equal(start) {
			t.Fatalf("shared verification: %+v at %v, %v", rep, at, err)
		}
	})
}
