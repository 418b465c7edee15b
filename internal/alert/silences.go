package alert

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (r *Router) loadSilences(ctx context.Context) error {
	s, err := r.opts.Store.Silences(ctx)
	if err != nil {
		return fmt.Errorf("alert router: load silences: %w", err)
	}
	for i := range s {
		if err := s[i].compile(); err != nil {
			return fmt.Errorf("alert router: silence %s: %w", s[i].ID, err)
		}
	}
	r.silences = s
	return nil
}

// ReloadSilences re-reads silences from the store, for changes made by the
// CLI or another instance.
func (r *Router) ReloadSilences(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loadSilences(ctx)
}

func (r *Router) silencedByLocked(l Labels, now time.Time) []string {
	var ids []string
	for i := range r.silences {
		if r.silences[i].Mutes(l, now) {
			ids = append(ids, r.silences[i].ID)
		}
	}
	return ids
}

// AddSilence validates and stores a silence and applies it at once.
func (r *Router) AddSilence(ctx context.Context, s Silence) (Silence, error) {
	if s.StartsAt.IsZero() {
		s.StartsAt = r.now()
	}
	if err := s.Validate(); err != nil {
		return Silence{}, err
	}
	s.ID, s.CreatedAt = newID(), r.now()
	if err := r.opts.Store.CreateSilence(ctx, s); err != nil {
		return Silence{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.silences = append(r.silences, s)
	return s, nil
}

// ExpireSilence ends a silence now. It reports false for an unknown ID.
func (r *Router) ExpireSilence(ctx context.Context, id string) (bool, error) {
	now := r.now()
	ok, err := r.opts.Store.ExpireSilence(ctx, id, now)
	if err != nil || !ok {
		return ok, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.silences {
		if r.silences[i].ID == id && r.silences[i].EndsAt.After(now) {
			r.silences[i].EndsAt = now
		}
	}
	return true, nil
}

// SilenceStatus is a silence with its state at the time of asking.
type SilenceStatus struct {
	Silence
	State string `json:"state"`
}

// Silences lists silences, active and pending first, newest first.
func (r *Router) Silences() []SilenceStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	out := make([]SilenceStatus, len(r.silences))
	for i, s := range r.silences {
		out[i] = SilenceStatus{Silence: s, State: s.SilenceState(now)}
	}
	rank := map[string]int{"active": 0, "pending": 1, "expired": 2}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].State] != rank[out[j].State] {
			return rank[out[i].State] < rank[out[j].State]
		}
		return out[i].CreatedAt.After(out[j].CreatedAt)
	})
	return out
}

func quote(s string) string { return strconv.Quote(s) }

func joinOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
