// Package backuphttp is the backups API: the catalog with verification
// status, and running a backup or a verification now.
package backuphttp

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/schedule"
)

// Handlers serves the backup manager over HTTP.
type Handlers struct {
	Manager *backup.Manager
	// Run backs up target now, through the scheduler's lock so that one
	// instance runs it at a time.
	Run func(ctx context.Context, target string) error
	// Schedules maps target names to their schedules, for the listing.
	Schedules func() map[string]string
}

// Register adds the routes with their scopes.
func (h *Handlers) Register(s *httpapi.Server) {
	s.HandleFunc("GET /api/v1/backups", config.ScopeRead, h.list)
	s.HandleFunc("POST /api/v1/backups/{target}/run", config.ScopeAdmin, h.run)
	s.HandleFunc("POST /api/v1/backups/{target}/verify", config.ScopeAdmin, h.verify)
}

// TargetStatus summarises one target for the listing.
type TargetStatus struct {
	Name        string         `json:"name"`
	Engine      string         `json:"engine"`
	Source      string         `json:"source"`
	Schedule    string         `json:"schedule"`
	Destination string         `json:"destination"`
	MaxAge      string         `json:"max_age"`
	Keep        backup.Keep    `json:"keep"`
	Last        *backup.Record `json:"last,omitempty"`
	LastGood    *backup.Record `json:"last_good,omitempty"`
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target := q.Get("target")
	if target != "" {
		if _, err := h.Manager.Target(target); err != nil {
			httpapi.WriteError(w, r, http.StatusNotFound, "target", "%v", err)
			return
		}
	}
	limit := 100
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			httpapi.WriteError(w, r, http.StatusBadRequest, "limit", "limit must be a number from 1 to 1000")
			return
		}
		limit = n
	}
	recs, err := h.Manager.List(r.Context(), backup.Filter{Target: target, Limit: limit})
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	if recs == nil {
		recs = []backup.Record{}
	}
	var scheds map[string]string
	if h.Schedules != nil {
		scheds = h.Schedules()
	}
	targets := []TargetStatus{}
	for _, t := range h.Manager.Targets() {
		if target != "" && t.Name != target {
			continue
		}
		ts := TargetStatus{Name: t.Name, Engine: t.Source.Engine(), Source: t.Source.Describe(), Schedule: scheds[t.Name],
			Destination: t.Dest.String(), MaxAge: t.MaxAge.String(), Keep: t.Keep}
		if last, err := h.Manager.List(r.Context(), backup.Filter{Target: t.Name, Limit: 1}); err == nil && len(last) > 0 {
			ts.Last = summary(last[0])
		}
		if good, err := h.Manager.Latest(r.Context(), t.Name, false); err == nil {
			ts.LastGood = summary(*good)
		}
		targets = append(targets, ts)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"targets": targets, "backups": recs})
}

// summary drops the manifest from a record.
func summary(r backup.Record) *backup.Record {
	r.Manifest = nil
	return &r
}

func (h *Handlers) run(w http.ResponseWriter, r *http.Request) {
	target := r.PathValue("target")
	if _, err := h.Manager.Target(target); err != nil {
		httpapi.WriteError(w, r, http.StatusNotFound, "target", "%v", err)
		return
	}
	started := time.Now()
	err := h.Run(r.Context(), target)
	switch {
	case errors.Is(err, schedule.ErrBusy), errors.Is(err, backup.ErrBusy):
		httpapi.WriteError(w, r, http.StatusConflict, "target", "a backup of %s is already running; try again when it finishes", target)
		return
	case errors.Is(err, schedule.ErrStopped):
		httpapi.WriteError(w, r, http.StatusServiceUnavailable, "", "Warden is shutting down")
		return
	}
	recs, lerr := h.Manager.List(r.Context(), backup.Filter{Target: target, Limit: 1})
	var rec *backup.Record
	if lerr == nil && len(recs) > 0 && !recs[0].StartedAt.Before(started.Add(-time.Second)) {
		rec = &recs[0]
	}
	if err != nil {
		httpapi.WriteJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error(), "backup": rec})
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"backup": rec})
}

func (h *Handlers) verify(w http.ResponseWriter, r *http.Request) {
	target := r.PathValue("target")
	if _, err := h.Manager.Target(target); err != nil {
		httpapi.WriteError(w, r, http.StatusNotFound, "target", "%v", err)
		return
	}
	id := r.URL.Query().Get("id")
	if id == "" {
		rec, err := h.Manager.Latest(r.Context(), target, false)
		if errors.Is(err, backup.ErrNotFound) {
			httpapi.WriteError(w, r, http.StatusNotFound, "target", "%s has no good backup to verify; run one first", target)
			return
		}
		if err != nil {
			httpapi.WriteErr(w, r, err)
			return
		}
		id = rec.ID
	} else if rec, err := h.Manager.Catalog().Get(r.Context(), id); err != nil || rec.Target != target {
		httpapi.WriteError(w, r, http.StatusNotFound, "id", "backup %q of %s not found", id, target)
		return
	}
	chk, err := h.Manager.Verify(r.Context(), id, nil)
	if chk == nil {
		httpapi.WriteError(w, r, http.StatusUnprocessableEntity, "id", "%v", err)
		return
	}
	// A failed verification is a result, not a failed request: 200 with
	// "passed": false and the reason.
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"passed": chk.Status == backup.VerifyPassed, "check": chk})
}
