package errsql

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func event(id, hash, release, user string, at time.Time) *errtrack.Event {
	return &errtrack.Event{
		ID: id, ProjectID: 1, Timestamp: at, Received: at, Level: "error", Platform: "go",
		Release: release, Environment: "production", GroupHash: hash, GroupMethod: errtrack.ByMessage,
		Title: "boom " + hash, Message: "boom", User: errtrack.User{ID: user},
		Tags: map[string]string{"release": release, "environment": "production", "user_id": user},
		Raw:  json.RawMessage(fmt.Sprintf(`{"event_id":%q}`, id)),
	}
}

func save(t *testing.T, s *Store, evs ...*errtrack.Event) []errtrack.SaveResult {
	t.Helper()
	rs, err := s.SaveEvents(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestIssueLifecycle(t *testing.T) {
	storetest.ForEach(t, []store.MigrationSet{Migrations}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := New(db)
		rs := save(t, s,
			event("e1", "h1", "r1", "u1", t0),
			event("e2", "h1", "r1", "u2", t0.Add(time.Minute)),
			event("e3", "h1", "r2", "u1", t0.Add(2*time.Minute)),
			event("e4", "h2", "r1", "", t0.Add(3*time.Minute)),
		)
		if !rs[0].New || rs[1].New || rs[2].New || !rs[3].New {
			t.Fatalf("new flags %+v", rs)
		}
		if rs[0].IssueID != rs[2].IssueID || rs[0].IssueID == rs[3].IssueID {
			t.Fatalf("issue ids %+v", rs)
		}
		// A retried event (same id) is not counted twice.
		if again := save(t, s, event("e1", "h1", "r1", "u1", t0)); again[0].IssueID != rs[0].IssueID || again[0].New {
			t.Fatalf("retry %+v", again)
		}
		is, err := s.GetIssue(ctx, rs[0].IssueID)
		if err != nil {
			t.Fatal(err)
		}
		if is.Count != 3 || is.Users != 2 || !is.FirstSeen.Equal(t0) || !is.LastSeen.Equal(t0.Add(2*time.Minute)) || is.Status != errtrack.StatusUnresolved || is.LastEventID != "e3" {
			t.Fatalf("issue %+v", is)
		}
		var rel *errtrack.TagStat
		for i := range is.Tags {
			if is.Tags[i].Key == "release" {
				rel = &is.Tags[i]
			}
		}
		if rel == nil || len(rel.Values) != 2 || rel.Values[0] != (errtrack.TagValue{Value: "r1", Count: 2}) {
			t.Fatalf("release tag %+v", rel)
		}
		evs, err := s.IssueEvents(ctx, is.ID, 10)
		if err != nil || len(evs) != 3 || evs[0].ID != "e3" || string(evs[0].Payload) != `{"event_id":"e3"}` {
			t.Fatalf("events %+v %v", evs, err)
		}
		list, err := s.ListIssues(ctx, errtrack.IssueFilter{ProjectID: 1})
		if err != nil || len(list) != 2 || list[0].ID != rs[3].IssueID {
			t.Fatalf("list %+v %v", list, err)
		}
		if l, _ := s.ListIssues(ctx, errtrack.IssueFilter{Release: "r2"}); len(l) != 1 {
			t.Fatalf("release filter %+v", l)
		}
		if l, _ := s.ListIssues(ctx, errtrack.IssueFilter{Query: "BOOM H2"}); len(l) != 1 {
			t.Fatalf("query filter %+v", l)
		}

		// Resolved outright: any new event reopens it.
		if _, err := s.UpdateStatus(ctx, is.ID, errtrack.StatusChange{Status: errtrack.StatusResolved}); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.ListIssues(ctx, errtrack.IssueFilter{Status: errtrack.StatusResolved}); len(l) != 1 {
			t.Fatalf("status filter %+v", l)
		}
		r := save(t, s, event("e5", "h1", "r1", "u1", t0.Add(time.Hour)))[0]
		if !r.Regressed || r.Status != errtrack.StatusUnresolved {
			t.Fatalf("no regression: %+v", r)
		}
		// Resolved in release r3: old releases still failing do not
		// reopen it; r3 itself or a release never seen does.
		s.UpdateStatus(ctx, is.ID, errtrack.StatusChange{Status: errtrack.StatusResolved, ResolvedInRelease: "r3"})
		if r := save(t, s, event("e6", "h1", "r2", "u1", t0.Add(2*time.Hour)))[0]; r.Regressed || r.Status != errtrack.StatusResolved {
			t.Fatalf("old release reopened: %+v", r)
		}
		if r := save(t, s, event("e7", "h1", "r4", "u1", t0.Add(3*time.Hour)))[0]; !r.Regressed {
			t.Fatalf("new release did not reopen: %+v", r)
		}
		is, _ = s.GetIssue(ctx, is.ID)
		if is.RegressedAt.IsZero() || is.Count != 6 || is.ResolvedInRelease != "" {
			t.Fatalf("after regression %+v", is)
		}
		// Ignored issues count but stay ignored.
		s.UpdateStatus(ctx, is.ID, errtrack.StatusChange{Status: errtrack.StatusIgnored})
		if r := save(t, s, event("e8", "h1", "r4", "u1", t0.Add(4*time.Hour)))[0]; r.Regressed || r.Status != errtrack.StatusIgnored {
			t.Fatalf("ignored %+v", r)
		}
		if _, err := s.GetIssue(ctx, 9999); err != errtrack.ErrNotFound {
			t.Fatalf("missing issue: %v", err)
		}
		if _, err := s.UpdateStatus(ctx, 9999, errtrack.StatusChange{Status: "resolved"}); err != errtrack.ErrNotFound {
			t.Fatalf("missing issue: %v", err)
		}

		n, err := s.CountSince(ctx, 1, is.ID, t0.Add(90*time.Minute), "production", "error")
		if err != nil || n != 3 {
			t.Fatalf("count since %d %v", n, err)
		}
		hc, err := s.HourlyCounts(ctx, []int64{is.ID}, t0.Add(4*time.Hour), 24)
		if err != nil || hc[is.ID][23] != 1 || hc[is.ID][19] != 3 {
			t.Fatalf("hourly %v %v", hc, err)
		}
		gone, err := s.DeleteEventsBefore(ctx, t0.Add(30*time.Minute))
		if err != nil || gone != 4 {
			t.Fatalf("retention deleted %d %v", gone, err)
		}
		if is, _ := s.GetIssue(ctx, is.ID); is.Count != 7 {
			t.Fatalf("retention changed counts: %+v", is)
		}
	})
}
