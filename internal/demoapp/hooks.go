package demoapp

import (
	"encoding/json"
	"io"
	"net/http"
)

// maxHookBody bounds what the demo's alert receiver reads.
const maxHookBody = 1 << 20

// handleHook stands in for a team's Slack incoming webhook, so that the
// demo's alerts have somewhere real to go: it logs what arrives and answers
// "ok" as Slack does.
func (a *App) handleHook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHookBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	var msg struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(body, &msg)
	a.logger.InfoContext(r.Context(), "alert received", "hook", r.PathValue("name"), "text", msg.Text, "bytes", len(body))
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok")
}
