package alerthttp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/httpapi"
)

// postableAlert is one element of Alertmanager's POST /api/v2/alerts body.
// Unknown fields are ignored, as newer senders add some.
type postableAlert struct {
	Labels       alert.Labels `json:"labels"`
	Annotations  alert.Labels `json:"annotations"`
	StartsAt     time.Time    `json:"startsAt"`
	EndsAt       time.Time    `json:"endsAt"`
	GeneratorURL string       `json:"generatorURL"`
}

// receive takes alerts the way Alertmanager does: an alert whose endsAt has
// passed is resolved; one without endsAt fires until resolve_timeout passes
// without it being sent again (Prometheus re-sends firing alerts).
func (h *Handlers) receive(w http.ResponseWriter, r *http.Request) {
	var batch []postableAlert
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
		if _, tooBig := err.(*http.MaxBytesError); tooBig {
			httpapi.WriteErr(w, r, err)
			return
		}
		httpapi.WriteError(w, r, http.StatusBadRequest, "", "body must be a JSON array of alerts: %v", err)
		return
	}
	now := h.Now()
	for i := range batch {
		a := &batch[i]
		if a.Labels[alert.LabelAlertName] == "" {
			httpapi.WriteError(w, r, http.StatusBadRequest, fmt.Sprintf("[%d].labels.alertname", i), "alert %d has no alertname label", i)
			return
		}
		if a.Labels[alert.LabelSource] == "" {
			a.Labels[alert.LabelSource] = "alertmanager-api"
		}
	}
	for _, p := range batch {
		if !p.EndsAt.IsZero() && !p.EndsAt.After(now) {
			if err := h.Router.Resolve(r.Context(), p.Labels, p.EndsAt); err != nil {
				httpapi.WriteErr(w, r, err)
				return
			}
			continue
		}
		a := alert.Alert{Labels: p.Labels, Annotations: p.Annotations, StartsAt: p.StartsAt, EndsAt: p.EndsAt, GeneratorURL: p.GeneratorURL}
		if a.EndsAt.IsZero() && h.ResolveTimeout > 0 {
			a.EndsAt = now.Add(h.ResolveTimeout)
		}
		if err := h.Router.Raise(r.Context(), a); err != nil {
			httpapi.WriteError(w, r, http.StatusBadRequest, "labels", "%v", err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}
