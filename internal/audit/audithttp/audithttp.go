// Package audithttp is the audit trail's HTTP API: appending events (scope
// ingest), and reading, proving, verifying and exporting them (scope audit).
package audithttp

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
)

// maxAppendBody bounds one append request: a full batch of events with
// details.
const maxAppendBody = 8 << 20

// Handlers serves the audit trail over HTTP.
type Handlers struct {
	Service *audit.Service
}

// Register adds the routes with their scopes.
func (h *Handlers) Register(s *httpapi.Server) {
	s.HandleFunc("POST /api/v1/audit/events", config.ScopeIngest, h.append, httpapi.WithMaxBody(maxAppendBody))
	s.HandleFunc("GET /api/v1/audit/actions", config.ScopeIngest, h.actions)
	s.HandleFunc("GET /api/v1/audit/events", config.ScopeAudit, h.list)
	s.HandleFunc("GET /api/v1/audit/events/{id}", config.ScopeAudit, h.get)
	s.HandleFunc("GET /api/v1/audit/events/{id}/proof", config.ScopeAudit, h.proof)
	s.HandleFunc("GET /api/v1/audit/export", config.ScopeAudit, h.export)
	s.HandleFunc("GET /api/v1/audit/checkpoints", config.ScopeAudit, h.checkpoints)
	s.HandleFunc("POST /api/v1/audit/checkpoints", config.ScopeAdmin, h.checkpointNow)
	s.HandleFunc("GET /api/v1/audit/verify", config.ScopeAudit, h.verify)
	s.HandleFunc("GET /api/v1/audit/users/{id}/export", config.ScopeAudit, h.userExport)
	s.HandleFunc("DELETE /api/v1/audit/users/{id}", config.ScopeAdmin, h.eraseUser)
}

// writeErr maps the domain's errors to statuses: a bad field 400 naming it,
// a full queue 429 with Retry-After, shutting down 503, unknown 404.
func writeErr(w http.ResponseWriter, r *http.Request, err error) {
	var fe *audit.FieldError
	var busy *audit.BusyError
	switch {
	case errors.As(err, &fe):
		httpapi.WriteError(w, r, http.StatusBadRequest, fe.Field, "%s", fe.Msg)
	case errors.As(err, &busy):
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(busy.RetryAfter.Seconds()))))
		httpapi.WriteError(w, r, http.StatusTooManyRequests, "", "%v", err)
	case errors.Is(err, audit.ErrClosed):
		w.Header().Set("Retry-After", "5")
		httpapi.WriteError(w, r, http.StatusServiceUnavailable, "", "%v", err)
	case errors.Is(err, audit.ErrNotFound):
		httpapi.WriteError(w, r, http.StatusNotFound, "id", "no such audit event")
	case errors.Is(err, audit.ErrNoCheckpoint), errors.Is(err, audit.ErrNoSigner):
		httpapi.WriteError(w, r, http.StatusConflict, "", "%v", err)
	default:
		httpapi.WriteErr(w, r, err)
	}
}

func (h *Handlers) append(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		httpapi.WriteError(w, r, http.StatusUnsupportedMediaType, "", "Content-Type must be application/json")
		return
	}
	events, err := audit.DecodeEvents(r.Body)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	receipts, err := h.Service.Append(r.Context(), events...)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"events": receipts})
}

func (h *Handlers) actions(w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"actions": h.Service.Taxonomy().Actions()})
}

// parseQuery reads the filters shared by listing and export.
func parseQuery(r *http.Request) (audit.Query, error) {
	v := r.URL.Query()
	q := audit.Query{
		ActorType: v.Get("actor_type"), ActorID: v.Get("actor_id"), Action: v.Get("action"),
		TargetType: v.Get("target_type"), TargetID: v.Get("target_id"), Outcome: v.Get("outcome"),
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return q, &audit.FieldError{Field: p.name, Msg: fmt.Sprintf("%q is not an RFC 3339 time such as 2026-11-23T12:00:00Z", s)}
			}
			*p.dst = t
		}
	}
	for _, p := range []struct {
		name string
		dst  **int64
	}{{"before", &q.Before}, {"after", &q.After}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return q, &audit.FieldError{Field: p.name, Msg: "must be an event seq (a non-negative number)"}
			}
			*p.dst = &n
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return q, &audit.FieldError{Field: "limit", Msg: "must be a number from 1 to 1000"}
		}
		q.Limit = n
	}
	if q.Outcome != "" && q.Outcome != string(audit.Success) && q.Outcome != string(audit.Failure) && q.Outcome != string(audit.Denied) {
		return q, &audit.FieldError{Field: "outcome", Msg: "must be success, failure or denied"}
	}
	return q, nil
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	events, err := h.Service.Query(r.Context(), q)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if events == nil {
		events = []audit.View{}
	}
	out := map[string]any{"events": events}
	// The cursor for the next page, in the direction this one went.
	if len(events) == q.Limit {
		last := events[len(events)-1].Seq
		if q.After != nil {
			out["next_after"] = last
		} else {
			out["next_before"] = last
		}
	}
	if r.URL.Query().Get("count") == "true" {
		n, err := h.Service.Count(r.Context(), q)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		out["total"] = n
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// seqOf reads {id}: a seq number, or an event id, which is looked up.
func (h *Handlers) seqOf(r *http.Request) (int64, error) {
	id := r.PathValue("id")
	if n, err := strconv.ParseInt(id, 10, 64); err == nil && n >= 0 {
		return n, nil
	}
	v, err := h.Service.GetByID(r.Context(), id)
	return v.Seq, err
}

func (h *Handlers) get(w http.ResponseWriter, r *http.Request) {
	seq, err := h.seqOf(r)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	v, err := h.Service.Get(r.Context(), seq)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}

func (h *Handlers) proof(w http.ResponseWriter, r *http.Request) {
	seq, err := h.seqOf(r)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	p, err := h.Service.InclusionProof(r.Context(), seq)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, p)
}

func (h *Handlers) checkpoints(w http.ResponseWriter, r *http.Request) {
	cps, err := h.Service.Checkpoints(r.Context())
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if cps == nil {
		cps = []audit.Checkpoint{}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"checkpoints": cps, "public_key": h.Service.PublicKey()})
}

func (h *Handlers) checkpointNow(w http.ResponseWriter, r *http.Request) {
	cp, err := h.Service.CheckpointNow(r.Context(), audit.CheckpointManual)
	if err != nil && cp.Signature == "" {
		writeErr(w, r, err)
		return
	}
	out := map[string]any{"checkpoint": cp}
	if err != nil {
		out["publish_error"] = err.Error() // stored, but not published everywhere
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
}

func (h *Handlers) verify(w http.ResponseWriter, r *http.Request) {
	rep, err := h.Service.Verify(r.Context())
	if err != nil {
		writeErr(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, rep)
}

// eraseUser honours an erasure request: the user's pseudonym key is
// destroyed, so their events stay chained and provable but no longer name
// them. The erasure is itself recorded, naming only the pseudonym.
func (h *Handlers) eraseUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ok, err := h.Service.EraseSubject(r.Context(), id)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if !ok {
		httpapi.WriteError(w, r, http.StatusNotFound, "id", "user %q has no pseudonym in the audit trail (never recorded, or already erased)", id)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"erased": id})
}
