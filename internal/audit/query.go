package audit

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Query selects events. Ids are the real ones: the service turns user ids
// into their pseudonyms before asking the store.
type Query struct {
	ActorType  string
	ActorID    string
	Action     string // exact, or a prefix ending in .* (payment.*)
	TargetType string
	TargetID   string
	Outcome    string
	From, To   time.Time
	// After pages oldest first; Before pages newest first (see Filter).
	After, Before *int64
	Ascending     bool
	Limit         int
}

// View is an event as shown to readers: user ids resolved from their
// pseudonyms when the key still exists, the chain fields alongside.
type View struct {
	Seq        int64          `json:"seq"`
	ID         string         `json:"id"`
	Time       time.Time      `json:"time"`
	RecordedAt time.Time      `json:"recorded_at"`
	Actor      ViewRef        `json:"actor"`
	Action     string         `json:"action"`
	Target     ViewRef        `json:"target,omitzero"`
	Outcome    Outcome        `json:"outcome"`
	ClientIP   string         `json:"client_ip,omitempty"`
	UserAgent  string         `json:"user_agent,omitempty"`
	RequestID  string         `json:"request_id,omitempty"`
	Details    map[string]any `json:"details,omitempty"`
	Hash       string         `json:"hash"`
	Prev       string         `json:"prev"`
}

// ViewRef is an actor or target. For users, Pseudonym is what was hashed;
// Erased says the key is gone and ID is only the pseudonym.
type ViewRef struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	Pseudonym string `json:"pseudonym,omitempty"`
	Erased    bool   `json:"erased,omitempty"`
}

// maxLimit caps one page.
const maxLimit = 1000

func (s *Service) filter(ctx context.Context, q Query) (Filter, error) {
	f := Filter{ActorType: q.ActorType, TargetType: q.TargetType, Action: q.Action, Outcome: q.Outcome,
		From: q.From, To: q.To, After: q.After, Before: q.Before, Ascending: q.Ascending, Limit: q.Limit}
	if f.Limit <= 0 || f.Limit > maxLimit {
		f.Limit = 100
	}
	var err error
	if q.ActorID != "" {
		if f.ActorRefs, err = s.refs(ctx, q.ActorID); err != nil {
			return f, err
		}
	}
	if q.TargetID != "" {
		if f.TargetRefs, err = s.refs(ctx, q.TargetID); err != nil {
			return f, err
		}
	}
	return f, nil
}

// refs is what an id may be stored as: itself (services, admins, or an
// erased user's pseudonym) and, for a known user, the pseudonym.
func (s *Service) refs(ctx context.Context, id string) ([]string, error) {
	refs := []string{id}
	sub, err := s.store.SubjectByID(ctx, id)
	if err == nil {
		refs = append(refs, sub.Pseudonym)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return refs, nil
}

// Query returns one page of events.
func (s *Service) Query(ctx context.Context, q Query) ([]View, error) {
	f, err := s.filter(ctx, q)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.Query(ctx, f)
	if err != nil {
		return nil, err
	}
	return s.views(ctx, recs)
}

// Count counts the events a query matches, ignoring paging.
func (s *Service) Count(ctx context.Context, q Query) (int64, error) {
	q.After, q.Before = nil, nil
	f, err := s.filter(ctx, q)
	if err != nil {
		return 0, err
	}
	return s.store.Count(ctx, f)
}

// Get returns one event by seq.
func (s *Service) Get(ctx context.Context, seq int64) (View, error) {
	rec, err := s.store.Get(ctx, seq)
	if err != nil {
		return View{}, err
	}
	vs, err := s.views(ctx, []Record{rec})
	if err != nil {
		return View{}, err
	}
	return vs[0], nil
}

// views decodes records and resolves their pseudonyms in one lookup.
func (s *Service) views(ctx context.Context, recs []Record) ([]View, error) {
	var ps []string
	for _, r := range recs {
		if strings.HasPrefix(r.ActorRef, pseudonymPrefix) {
			ps = append(ps, r.ActorRef)
		}
		if strings.HasPrefix(r.TargetRef, pseudonymPrefix) {
			ps = append(ps, r.TargetRef)
		}
	}
	subjects := map[string]Subject{}
	if len(ps) > 0 {
		var err error
		if subjects, err = s.store.Subjects(ctx, ps); err != nil {
			return nil, err
		}
	}
	out := make([]View, 0, len(recs))
	for _, r := range recs {
		doc, err := parseCanonical(r.Canonical)
		if err != nil {
			return nil, err
		}
		e, err := doc.event()
		if err != nil {
			return nil, err
		}
		recorded, _ := time.Parse(TimeFormat, doc.RecordedAt)
		out = append(out, View{
			Seq: r.Seq, ID: e.ID, Time: e.Time, RecordedAt: recorded,
			Actor:  resolve(string(e.Actor.Type), e.Actor.ID, personalActor(e.Actor), subjects),
			Action: e.Action, Target: resolve(e.Target.Type, e.Target.ID, personalTarget(e.Target), subjects),
			Outcome: e.Outcome, ClientIP: e.ClientIP, UserAgent: e.UserAgent, RequestID: e.RequestID,
			Details: e.Details, Hash: hex.EncodeToString(r.Hash), Prev: doc.Prev,
		})
	}
	return out, nil
}

func resolve(typ, ref string, personal bool, subjects map[string]Subject) ViewRef {
	if !personal {
		return ViewRef{Type: typ, ID: ref}
	}
	if sub, ok := subjects[ref]; ok {
		return ViewRef{Type: typ, ID: sub.ID, Pseudonym: ref}
	}
	return ViewRef{Type: typ, ID: ref, Pseudonym: ref, Erased: true}
}

// GetByID returns one event by its id.
func (s *Service) GetByID(ctx context.Context, id string) (View, error) {
	rec, err := s.store.GetByID(ctx, id)
	if err != nil {
		return View{}, err
	}
	vs, err := s.views(ctx, []Record{rec})
	if err != nil {
		return View{}, err
	}
	return vs[0], nil
}
