// Package uptimehttp is the uptime checks' HTTP API: check states with
// their figures, probe history, incidents and operator notes.
package uptimehttp

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/scrub"
	"github.com/wardenhq/warden/internal/uptime"
)

// Handlers serves the monitor over HTTP.
type Handlers struct {
	Monitor *uptime.Monitor
}

// Register adds the routes with their scopes.
func (h *Handlers) Register(s *httpapi.Server) {
	s.HandleFunc("GET /api/v1/checks", config.ScopeRead, h.listChecks)
	s.HandleFunc("GET /api/v1/checks/{name}", config.ScopeRead, h.getCheck)
	s.HandleFunc("GET /api/v1/checks/{name}/results", config.ScopeRead, h.results)
	s.HandleFunc("GET /api/v1/incidents", config.ScopeRead, h.listIncidents)
	s.HandleFunc("GET /api/v1/incidents/{id}", config.ScopeRead, h.getIncident)
	s.HandleFunc("POST /api/v1/incidents/{id}/notes", config.ScopeAdmin, h.addNote, httpapi.WithMaxBody(64<<10))
}

type checkView struct {
	uptime.CheckStatus
	Figures uptime.Figures `json:"figures"`
}

func (h *Handlers) listChecks(w http.ResponseWriter, r *http.Request) {
	now := h.Monitor.Now()
	sts, err := h.Monitor.Statuses(r.Context())
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	out := make([]checkView, 0, len(sts))
	for _, st := range sts {
		f, err := h.Monitor.Figures(r.Context(), st.Name, now)
		if err != nil {
			httpapi.WriteErr(w, r, err)
			return
		}
		out = append(out, checkView{CheckStatus: st, Figures: f})
	}
	overall, err := h.Monitor.Overall(r.Context(), now)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"checks": out, "overall": overall})
}

func (h *Handlers) check(w http.ResponseWriter, r *http.Request) (*uptime.Check, bool) {
	c, ok := h.Monitor.Check(r.PathValue("name"))
	if !ok {
		httpapi.WriteError(w, r, http.StatusNotFound, "name", "no check named %q (GET /api/v1/checks lists them)", r.PathValue("name"))
	}
	return c, ok
}

func (h *Handlers) getCheck(w http.ResponseWriter, r *http.Request) {
	c, ok := h.check(w, r)
	if !ok {
		return
	}
	sts, err := h.Monitor.Statuses(r.Context())
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	now := h.Monitor.Now()
	f, err := h.Monitor.Figures(r.Context(), c.Name, now)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	days, err := h.Monitor.Days(r.Context(), c.Name, 90, now)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	var st uptime.CheckStatus
	for _, s := range sts {
		if s.Name == c.Name {
			st = s
		}
	}
	conds := make([]string, len(c.Conditions))
	for i, e := range c.Conditions {
		conds[i] = e.String()
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"check": checkView{CheckStatus: st, Figures: f}, "conditions": conds, "days": days, "maintenance": c.Maintenance,
		"failure_threshold": c.FailureThreshold, "success_threshold": c.SuccessThreshold, "runbook_url": c.RunbookURL,
	})
}

// timeParam reads an RFC 3339 time or a duration back from now ("1h").
func timeParam(r *http.Request, name string, now, def time.Time) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := config.ParseDuration(s); err == nil {
		return now.Add(-d.Std()), nil
	}
	return time.Time{}, httpapi.BadRequest(name, "%s=%q is neither an RFC 3339 time nor a duration like 1h or 7d", name, s)
}

func limitParam(r *http.Request, def, maxLimit int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		return 0, httpapi.BadRequest("limit", "limit must be a number from 1 to %d", maxLimit)
	}
	return n, nil
}

func (h *Handlers) results(w http.ResponseWriter, r *http.Request) {
	c, ok := h.check(w, r)
	if !ok {
		return
	}
	now := h.Monitor.Now()
	since, err := timeParam(r, "since", now, now.Add(-24*time.Hour))
	if err == nil {
		var until time.Time
		until, err = timeParam(r, "until", now, now.Add(time.Second))
		if err == nil {
			var limit int
			limit, err = limitParam(r, 500, 10000)
			if err == nil {
				var rs []uptime.Result
				rs, err = h.Monitor.Store().Results(r.Context(), c.Name, since, until, limit)
				if err == nil {
					httpapi.WriteJSON(w, http.StatusOK, map[string]any{"check": c.Name, "results": rs})
					return
				}
			}
		}
	}
	httpapi.WriteErr(w, r, err)
}

func (h *Handlers) listIncidents(w http.ResponseWriter, r *http.Request) {
	now := h.Monitor.Now()
	q := r.URL.Query()
	f := uptime.IncidentFilter{Check: q.Get("check")}
	if f.Check != "" {
		if _, ok := h.Monitor.Check(f.Check); !ok {
			httpapi.WriteError(w, r, http.StatusBadRequest, "check", "no check named %q", f.Check)
			return
		}
	}
	switch q.Get("open") {
	case "", "false":
	case "true":
		f.OpenOnly = true
	default:
		httpapi.WriteError(w, r, http.StatusBadRequest, "open", "open must be true or false")
		return
	}
	var err error
	if f.Since, err = timeParam(r, "since", now, now.Add(-90*24*time.Hour)); err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	if f.Limit, err = limitParam(r, 100, 1000); err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	incs, err := h.Monitor.Store().Incidents(r.Context(), f)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"incidents": withTimes(incs)})
}

type incidentView struct {
	uptime.Incident
	Open          bool    `json:"open"`
	TimeToDetect  float64 `json:"time_to_detect_seconds"`
	TimeToRecover float64 `json:"time_to_recover_seconds,omitempty"`
}

func withTimes(incs []uptime.Incident) []incidentView {
	out := make([]incidentView, len(incs))
	for i, inc := range incs {
		out[i] = incidentView{Incident: inc, Open: inc.Open(), TimeToDetect: inc.TimeToDetect().Seconds(), TimeToRecover: inc.TimeToRecover().Seconds()}
	}
	return out
}

func (h *Handlers) incident(w http.ResponseWriter, r *http.Request) (uptime.Incident, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		httpapi.WriteError(w, r, http.StatusBadRequest, "id", "%q is not an incident id", r.PathValue("id"))
		return uptime.Incident{}, false
	}
	inc, err := h.Monitor.Store().Incident(r.Context(), id)
	if errors.Is(err, uptime.ErrNotFound) {
		httpapi.WriteError(w, r, http.StatusNotFound, "id", "no incident %d", id)
		return inc, false
	}
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return inc, false
	}
	return inc, true
}

func (h *Handlers) getIncident(w http.ResponseWriter, r *http.Request) {
	inc, ok := h.incident(w, r)
	if !ok {
		return
	}
	end := inc.ResolvedAt
	if end.IsZero() {
		end = h.Monitor.Now()
	}
	probes, err := h.Monitor.Store().Results(r.Context(), inc.Check, inc.FirstFailAt, end.Add(time.Millisecond), 10000)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"incident": withTimes([]uptime.Incident{inc})[0], "probes": probes})
}

func (h *Handlers) addNote(w http.ResponseWriter, r *http.Request) {
	inc, ok := h.incident(w, r)
	if !ok {
		return
	}
	var body struct {
		Text string `json:"text"`
	}
	if err := httpapi.DecodeJSON(r, &body); err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	body.Text = strings.TrimSpace(body.Text)
	if body.Text == "" || len(body.Text) > 10000 {
		httpapi.WriteError(w, r, http.StatusBadRequest, "text", "text must hold 1 to 10000 characters")
		return
	}
	p, _ := auth.FromContext(r.Context())
	n := uptime.Note{At: h.Monitor.Now(), Author: p.Name, Text: scrub.String(body.Text)}
	if err := h.Monitor.Store().AddNote(r.Context(), inc.ID, n); err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, n)
}
