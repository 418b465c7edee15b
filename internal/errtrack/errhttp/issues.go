package errhttp

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/httpapi"
)

// Issues serves the issues API.
type Issues struct {
	Service *errtrack.Service
}

// Register adds the routes with their scopes.
func (h *Issues) Register(s *httpapi.Server) {
	s.HandleFunc("GET /api/v1/issues", config.ScopeRead, h.list)
	s.HandleFunc("GET /api/v1/issues/{id}", config.ScopeRead, h.show)
	s.HandleFunc("GET /api/v1/issues/{id}/events", config.ScopeRead, h.events)
	s.HandleFunc("PATCH /api/v1/issues/{id}", config.ScopeAdmin, h.patch)
}

func intParam(r *http.Request, name string, def, min, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, httpapi.BadRequest(name, "%s must be a number from %d to %d", name, min, max)
	}
	return n, nil
}

func (h *Issues) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := errtrack.IssueFilter{Status: q.Get("status"), Level: q.Get("level"), Environment: q.Get("environment"), Release: q.Get("release"), Query: q.Get("query")}
	switch f.Status {
	case "", errtrack.StatusUnresolved, errtrack.StatusResolved, errtrack.StatusIgnored:
	default:
		httpapi.WriteError(w, r, http.StatusBadRequest, "status", "%q is not a status (use unresolved, resolved or ignored)", f.Status)
		return
	}
	var err error
	if f.ProjectID, err = intParam(r, "project", 0, 0, 1<<30); err == nil {
		if f.Limit, err = intParam(r, "limit", 100, 1, 1000); err == nil {
			f.Offset, err = intParam(r, "offset", 0, 0, 1<<30)
		}
	}
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	issues, err := h.Service.Store().ListIssues(r.Context(), f)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"issues": issues})
}

func (h *Issues) issueID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		httpapi.WriteError(w, r, http.StatusBadRequest, "id", "%q is not an issue id", r.PathValue("id"))
		return 0, false
	}
	return id, true
}

func (h *Issues) writeStoreErr(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errtrack.ErrNotFound) {
		httpapi.WriteError(w, r, http.StatusNotFound, "id", "no issue %s", r.PathValue("id"))
		return
	}
	var in *errtrack.InputError
	if errors.As(err, &in) {
		httpapi.WriteError(w, r, http.StatusBadRequest, in.Field, "%s", in.Msg)
		return
	}
	httpapi.WriteErr(w, r, err)
}

// issueDetail is an issue with its latest event, stack trace and request
// included, as the show endpoint returns it.
type issueDetail struct {
	errtrack.Issue
	LatestEvent json.RawMessage `json:"latest_event,omitempty"`
}

func (h *Issues) show(w http.ResponseWriter, r *http.Request) {
	id, ok := h.issueID(w, r)
	if !ok {
		return
	}
	is, err := h.Service.Store().GetIssue(r.Context(), id)
	if err != nil {
		h.writeStoreErr(w, r, err)
		return
	}
	d := issueDetail{Issue: is}
	if ev, err := h.Service.Store().GetEvent(r.Context(), id, is.LastEventID); err == nil && json.Valid(ev.Payload) {
		d.LatestEvent = ev.Payload
	}
	httpapi.WriteJSON(w, http.StatusOK, d)
}

type eventJSON struct {
	errtrack.StoredEvent
	Event json.RawMessage `json:"event,omitempty"`
}

func (h *Issues) events(w http.ResponseWriter, r *http.Request) {
	id, ok := h.issueID(w, r)
	if !ok {
		return
	}
	limit, err := intParam(r, "limit", 50, 1, 1000)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	if _, err := h.Service.Store().GetIssue(r.Context(), id); err != nil {
		h.writeStoreErr(w, r, err)
		return
	}
	evs, err := h.Service.Store().IssueEvents(r.Context(), id, limit)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	out := make([]eventJSON, 0, len(evs))
	for _, e := range evs {
		ej := eventJSON{StoredEvent: e}
		if json.Valid(e.Payload) {
			ej.Event = e.Payload
		}
		out = append(out, ej)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"events": out})
}

type patchRequest struct {
	Status            string `json:"status"`
	ResolvedInRelease string `json:"resolved_in_release"`
}

func (h *Issues) patch(w http.ResponseWriter, r *http.Request) {
	id, ok := h.issueID(w, r)
	if !ok {
		return
	}
	var req patchRequest
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	is, err := h.Service.SetStatus(r.Context(), id, errtrack.StatusChange{Status: req.Status, ResolvedInRelease: req.ResolvedInRelease})
	if err != nil {
		h.writeStoreErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, is)
}
