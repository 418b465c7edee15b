package audithttp

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/httpapi"
)

// exportFormat reads ?format= and sets the response headers for it.
func exportFormat(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	format := r.URL.Query().Get("format")
	switch format {
	case "", audit.FormatJSONL:
		format = audit.FormatJSONL
		w.Header().Set("Content-Type", "application/x-ndjson")
	case audit.FormatCSV:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	default:
		httpapi.WriteError(w, r, http.StatusBadRequest, "format", "%q is not jsonl or csv", format)
		return "", false
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	return format, true
}

// export streams the events a query matches, oldest first. The export is
// recorded in the trail (admin.audit.export) before it starts.
func (h *Handlers) export(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	format, ok := exportFormat(w, r, "audit-export")
	if !ok {
		return
	}
	if err := h.Service.Record(r.Context(), audit.Event{Action: "admin.audit.export", Outcome: audit.Success,
		Details: map[string]any{"format": format, "query": r.URL.RawQuery}}); err != nil {
		writeErr(w, r, err)
		return
	}
	// Errors after the first byte cannot change the status; the stream
	// simply ends, and the log says why.
	if _, err := h.Service.Export(r.Context(), q, w, format); err != nil {
		slog.ErrorContext(r.Context(), "audit export cut short", "error", err)
	}
}

// userExport is the GDPR access request: every event about one user.
func (h *Handlers) userExport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	format, ok := exportFormat(w, r, "audit-user-export")
	if !ok {
		return
	}
	n, err := h.Service.ExportUser(r.Context(), id, w, format)
	if err != nil && n == 0 {
		w.Header().Del("Content-Disposition")
		writeErr(w, r, err)
	} else if err != nil {
		slog.ErrorContext(r.Context(), "audit user export cut short", "error", err)
	}
}
