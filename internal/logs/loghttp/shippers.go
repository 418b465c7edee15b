package loghttp

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/ingest"
)

// registerShippers adds the APIs existing log shippers speak, so that
// Vector, Fluent Bit, Grafana Alloy or an OpenTelemetry SDK can point at
// Warden unchanged.
func (h *Handlers) registerShippers(api *httpapi.Server) {
	api.HandleFunc("POST /loki/api/v1/push", config.ScopeIngest, h.loki, httpapi.WithMaxBody(h.MaxBody))
	api.HandleFunc("POST /api/v1/logs/_bulk", config.ScopeIngest, h.bulk, httpapi.WithMaxBody(h.MaxBody))
	api.HandleFunc("POST /v1/logs", config.ScopeIngest, h.otlp, httpapi.WithMaxBody(h.MaxBody))
}

// loki takes Loki's push in both its forms: JSON, and the snappy-compressed
// protobuf that Promtail, Grafana Alloy and Vector send by default
// (Fluent Bit's built-in loki output sends JSON).
// Without a Content-Type, a body that starts with '{' is JSON.
func (h *Handlers) loki(w http.ResponseWriter, r *http.Request) {
	body, err := h.body(r)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	var recs []logs.Record
	switch {
	case strings.HasPrefix(ct, "application/json"):
		recs, err = ingest.DecodeLoki(body, h.Service.Now(), h.MaxLines)
	case strings.HasPrefix(ct, "application/x-protobuf"), strings.HasPrefix(ct, "application/protobuf"), ct == "":
		var b []byte
		if b, err = io.ReadAll(body); err != nil {
			httpapi.WriteErr(w, r, err)
			return
		}
		if trimmed := bytes.TrimLeft(b, " \t\r\n"); ct == "" && len(trimmed) > 0 && trimmed[0] == '{' {
			recs, err = ingest.DecodeLoki(bytes.NewReader(b), h.Service.Now(), h.MaxLines)
		} else {
			recs, err = ingest.DecodeLokiProto(b, h.Service.Now(), h.MaxLines, h.MaxBody)
		}
	default:
		httpapi.WriteError(w, r, http.StatusUnsupportedMediaType, "", "Content-Type %q is not Loki's push: use application/x-protobuf (snappy-compressed protobuf) or application/json", ct)
		return
	}
	if err != nil {
		httpapi.WriteErr(w, r, tooBigOr400(err))
		return
	}
	if err := h.store(r, recs); err != nil {
		writeStoreErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent) // what Loki answers
}

func (h *Handlers) bulk(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	body, err := h.body(r)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	recs, items, err := ingest.DecodeBulk(body, h.Service.Now(), h.MaxLines)
	if err != nil {
		var le *ingest.LineError
		if errors.As(err, &le) {
			httpapi.WriteError(w, r, http.StatusBadRequest, "line "+strconv.Itoa(le.Line), "%s (nothing of this request was stored)", le.Error())
			return
		}
		httpapi.WriteErr(w, r, tooBigOr400(err))
		return
	}
	if err := h.store(r, recs); err != nil {
		writeStoreErr(w, r, err)
		return
	}
	type result struct {
		Index  string         `json:"_index,omitempty"`
		Status int            `json:"status"`
		Error  map[string]any `json:"error,omitempty"`
	}
	out := struct {
		Took   int64               `json:"took"`
		Errors bool                `json:"errors"`
		Items  []map[string]result `json:"items"`
	}{Took: time.Since(began).Milliseconds(), Items: make([]map[string]result, 0, len(items))}
	for _, it := range items {
		res := result{Index: it.Index, Status: it.Status}
		if it.Error != "" {
			out.Errors = true
			res.Error = map[string]any{"type": "illegal_argument_exception", "reason": it.Error}
		}
		out.Items = append(out.Items, map[string]result{it.Action: res})
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// store appends decoded records; env and service come from the query or
// the token.
func (h *Handlers) store(r *http.Request, recs []logs.Record) error {
	env, service := h.source(r)
	if err := logsEnvOK(env); err != nil {
		return httpapi.BadRequest("env", "%v", err)
	}
	return h.Service.Append(r.Context(), env, service, recs)
}

func writeStoreErr(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, logs.ErrOverloaded) {
		w.Header().Set("Retry-After", retryAfter)
		httpapi.WriteError(w, r, http.StatusTooManyRequests, "", "%v", err)
		return
	}
	httpapi.WriteErr(w, r, err)
}

func tooBigOr400(err error) error {
	var tooBig *http.MaxBytesError
	var he *httpapi.Error
	if errors.As(err, &tooBig) || errors.As(err, &he) {
		return err
	}
	return httpapi.BadRequest("", "%v", err)
}

func (h *Handlers) otlp(w http.ResponseWriter, r *http.Request) {
	body, err := h.body(r)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	b, err := io.ReadAll(body)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	ct := r.Header.Get("Content-Type")
	var recs []logs.Record
	proto := strings.HasPrefix(ct, "application/x-protobuf") || strings.HasPrefix(ct, "application/protobuf")
	switch {
	case proto:
		recs, err = ingest.DecodeOTLPProto(b, h.Service.Now(), h.MaxLines)
	case strings.HasPrefix(ct, "application/json"):
		recs, err = ingest.DecodeOTLPJSON(b, h.Service.Now(), h.MaxLines)
	default:
		httpapi.WriteError(w, r, http.StatusUnsupportedMediaType, "", "Content-Type must be application/x-protobuf or application/json (OTLP/HTTP)")
		return
	}
	if err != nil {
		httpapi.WriteErr(w, r, tooBigOr400(err))
		return
	}
	if err := h.store(r, recs); err != nil {
		writeStoreErr(w, r, err)
		return
	}
	if proto {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK) // an empty ExportLogsServiceResponse
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{})
}
