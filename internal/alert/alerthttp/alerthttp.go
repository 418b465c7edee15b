// Package alerthttp is the alert router's HTTP API: firing alerts, the
// delivery log, silences, test sends, and an Alertmanager-compatible
// receiver so Prometheus and Grafana alerts flow through the same routes.
package alerthttp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
)

// AuditFunc records an admin action in the audit trail (nil until the audit
// part exists).
type AuditFunc func(ctx context.Context, action, target string, details map[string]any)

// Handlers serves the router over HTTP.
type Handlers struct {
	Router *alert.Router
	Store  alert.Store
	// ResolveTimeout resolves received alerts that carry no endsAt.
	ResolveTimeout time.Duration
	Audit          AuditFunc
	Now            func() time.Time
}

// Register adds the routes with their scopes.
func (h *Handlers) Register(s *httpapi.Server) {
	if h.Now == nil {
		h.Now = time.Now
	}
	s.HandleFunc("GET /api/v1/alerts", config.ScopeRead, h.listAlerts)
	s.HandleFunc("GET /api/v1/alerts/deliveries", config.ScopeRead, h.listDeliveries)
	s.HandleFunc("POST /api/v1/alerts/test", config.ScopeAdmin, h.test)
	s.HandleFunc("GET /api/v1/silences", config.ScopeRead, h.listSilences)
	s.HandleFunc("POST /api/v1/silences", config.ScopeAdmin, h.createSilence)
	s.HandleFunc("DELETE /api/v1/silences/{id}", config.ScopeAdmin, h.expireSilence)
	s.HandleFunc("POST /api/v2/alerts", config.ScopeIngest, h.receive, httpapi.WithMaxBody(4<<20))
}

func (h *Handlers) listAlerts(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	all := h.Router.Firing()
	out := make([]alert.AlertStatus, 0, len(all))
	for _, a := range all {
		if state == "" || string(a.State) == state {
			out = append(out, a)
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"alerts": out})
}

func (h *Handlers) listDeliveries(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			httpapi.WriteError(w, r, http.StatusBadRequest, "limit", "limit must be a number from 1 to 1000")
			return
		}
		limit = n
	}
	ds, err := h.Store.Deliveries(r.Context(), alert.DeliveryFilter{Channel: r.URL.Query().Get("channel"), Limit: limit})
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	if ds == nil {
		ds = []alert.Delivery{}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
}

func (h *Handlers) test(w http.ResponseWriter, r *http.Request) {
	channel := r.URL.Query().Get("channel")
	if channel == "" {
		httpapi.WriteError(w, r, http.StatusBadRequest, "channel", "name the channel: ?channel=NAME")
		return
	}
	ds, err := h.Router.Test(r.Context(), channel)
	var unknown *alert.UnknownChannelError
	if errors.As(err, &unknown) {
		httpapi.WriteError(w, r, http.StatusNotFound, "channel", "%v", err)
		return
	}
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	delivered := len(ds) > 0 && ds[0].Status == alert.DeliveryDelivered
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"delivered": delivered, "attempts": ds})
}

func (h *Handlers) listSilences(w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"silences": h.Router.Silences()})
}

// silenceRequest is Alertmanager's postable silence, with matchers also
// accepted in their written form ("severity=\"critical\"").
type silenceRequest struct {
	Matchers  []matcherJSON `json:"matchers"`
	StartsAt  time.Time     `json:"startsAt"`
	EndsAt    time.Time     `json:"endsAt"`
	Duration  string        `json:"duration"`
	CreatedBy string        `json:"createdBy"`
	Comment   string        `json:"comment"`
}

// matcherJSON is Alertmanager's {name, value, isRegex, isEqual}, or a string.
type matcherJSON struct {
	alert.Matcher
}

func (m *matcherJSON) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return err
		}
		parsed, err := alert.ParseMatcher(s)
		m.Matcher = parsed
		return err
	}
	var am struct {
		Name    string `json:"name"`
		Value   string `json:"value"`
		IsRegex bool   `json:"isRegex"`
		IsEqual *bool  `json:"isEqual"`
	}
	if err := json.Unmarshal(b, &am); err != nil {
		return err
	}
	op := "="
	if am.IsRegex {
		op = "=~"
	}
	if am.IsEqual != nil && !*am.IsEqual {
		op = "!" + strings.TrimPrefix(op, "=")
		if !am.IsRegex {
			op = "!="
		}
	}
	parsed, err := alert.NewMatcher(am.Name, op, am.Value)
	m.Matcher = parsed
	return err
}

func (h *Handlers) createSilence(w http.ResponseWriter, r *http.Request) {
	var req silenceRequest
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	s := alert.Silence{StartsAt: req.StartsAt, EndsAt: req.EndsAt, CreatedBy: req.CreatedBy, Comment: req.Comment}
	if s.CreatedBy == "" {
		if p, ok := auth.FromContext(r.Context()); ok {
			s.CreatedBy = p.Kind + ":" + p.Name
		}
	}
	if req.Duration != "" {
		d, err := config.ParseDuration(req.Duration)
		if err != nil {
			httpapi.WriteError(w, r, http.StatusBadRequest, "duration", "%v", err)
			return
		}
		start := s.StartsAt
		if start.IsZero() {
			start = h.Now()
		}
		s.EndsAt = start.Add(d.Std())
	}
	for _, m := range req.Matchers {
		s.Matchers = append(s.Matchers, m.Matcher)
	}
	created, err := h.Router.AddSilence(r.Context(), s)
	if err != nil {
		httpapi.WriteError(w, r, http.StatusBadRequest, "", "%v", err)
		return
	}
	h.audit(r.Context(), "alerts.silence.create", created.ID, map[string]any{"matchers": matcherStrings(created.Matchers), "ends_at": created.EndsAt, "comment": created.Comment})
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"silenceID": created.ID, "silence": created})
}

func (h *Handlers) expireSilence(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ok, err := h.Router.ExpireSilence(r.Context(), id)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	if !ok {
		httpapi.WriteError(w, r, http.StatusNotFound, "id", "no silence %q", id)
		return
	}
	h.audit(r.Context(), "alerts.silence.expire", id, nil)
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "expired", "id": id})
}

func (h *Handlers) audit(ctx context.Context, action, target string, details map[string]any) {
	if h.Audit != nil {
		h.Audit(ctx, action, target, details)
	}
}

func matcherStrings(ms []alert.Matcher) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}
