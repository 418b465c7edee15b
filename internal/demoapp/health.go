package demoapp

import "net/http"

type healthBody struct {
	Status string `json:"status"`
}

// handleHealth answers the uptime check. It depends on the health switch
// alone, so that the demo's incidents start and end exactly when asked.
func (a *App) handleHealth(w http.ResponseWriter, r *http.Request) {
	if a.down.Load() {
		writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: "down"})
		return
	}
	writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
}

// handleSetHealth flips the health switch (?state=down or ?state=up), to
// open and close an uptime incident during a demo.
func (a *App) handleSetHealth(w http.ResponseWriter, r *http.Request) {
	switch state := r.URL.Query().Get("state"); state {
	case "down":
		a.down.Store(true)
		a.requestLogger(r).WarnContext(r.Context(), "health switched", "event", "health.changed", "state", state)
		writeJSON(w, http.StatusOK, healthBody{Status: "down"})
	case "up":
		a.down.Store(false)
		a.requestLogger(r).InfoContext(r.Context(), "health switched", "event", "health.changed", "state", state)
		writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
	default:
		writeError(w, http.StatusBadRequest, `state: must be "up" or "down"`)
	}
}
