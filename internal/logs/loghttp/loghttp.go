// Package loghttp serves the logs part over HTTP: NDJSON ingest, queries
// and a live tail. It decodes, calls logs.Service and encodes.
package loghttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/ingest"
	"github.com/wardenhq/warden/internal/logs/logql"
)

// Handlers are the logs endpoints.
type Handlers struct {
	Service *logs.Service
	// MaxBody caps an ingest request, compressed and decompressed.
	MaxBody int64
	// MaxLines caps the lines of one ingest request.
	MaxLines int
	// TailPoll is how often a tail reads the store (default 1s).
	TailPoll time.Duration
	// Sources gives lines sent with a token (by name) an environment and
	// a service when the request names none.
	Sources map[string]config.LogSource
}

// Register adds the routes to the API server.
func (h *Handlers) Register(api *httpapi.Server) {
	if h.MaxBody <= 0 {
		h.MaxBody = 32 << 20
	}
	if h.MaxLines <= 0 {
		h.MaxLines = 200_000
	}
	api.HandleFunc("POST /api/v1/logs", config.ScopeIngest, h.ingest, httpapi.WithMaxBody(h.MaxBody))
	api.HandleFunc("GET /api/v1/logs/query", config.ScopeRead, h.query)
	api.HandleFunc("GET /api/v1/logs/tail", config.ScopeRead, h.tail)
	h.registerShippers(api)
}

// retryAfter is what an overloaded store asks clients to wait.
const retryAfter = "1"

// body returns the request body, decompressed when it is gzip, capped at
// MaxBody either way.
func (h *Handlers) body(r *http.Request) (io.Reader, error) {
	switch enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc {
	case "", "identity":
		return r.Body, nil
	case "gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, httpapi.BadRequest("", "body is not gzip: %v", err)
		}
		return &capReader{r: zr, left: h.MaxBody, limit: h.MaxBody}, nil
	default:
		return nil, &httpapi.Error{Status: http.StatusUnsupportedMediaType, Msg: fmt.Sprintf("Content-Encoding %q is not supported (use gzip or none)", enc)}
	}
}

type capReader struct {
	r           io.Reader
	left, limit int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, &http.MaxBytesError{Limit: c.limit}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func (h *Handlers) ingest(w http.ResponseWriter, r *http.Request) {
	if h.Service.Overloaded() { // refused before the body is read and decoded
		w.Header().Set("Retry-After", retryAfter)
		httpapi.WriteError(w, r, http.StatusTooManyRequests, "", "%v", logs.ErrOverloaded)
		return
	}
	body, err := h.body(r)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	recs, err := ingest.DecodeNDJSON(body, h.Service.Now(), h.MaxLines)
	if err != nil {
		var le *ingest.LineError
		if errors.As(err, &le) {
			httpapi.WriteError(w, r, http.StatusBadRequest, "line "+strconv.Itoa(le.Line), "%s (nothing of this request was stored)", le.Error())
			return
		}
		httpapi.WriteErr(w, r, err)
		return
	}
	env, service := h.source(r)
	h.append(w, r, env, service, recs)
}

// source picks the environment and service of a request's lines: the
// query parameters, else the token's entry in logs.tokens.
func (h *Handlers) source(r *http.Request) (env, service string) {
	q := r.URL.Query()
	env, service = q.Get("env"), q.Get("service")
	if p, ok := auth.FromContext(r.Context()); ok {
		if src, ok := h.Sources[p.Name]; ok {
			if env == "" {
				env = src.Env
			}
			if service == "" {
				service = src.Service
			}
		}
	}
	return env, service
}

// append stores decoded records and answers, mapping overload to 429.
func (h *Handlers) append(w http.ResponseWriter, r *http.Request, env, service string, recs []logs.Record) {
	if err := logsEnvOK(env); err != nil {
		httpapi.WriteError(w, r, http.StatusBadRequest, "env", "%v", err)
		return
	}
	err := h.Service.Append(r.Context(), env, service, recs)
	switch {
	case errors.Is(err, logs.ErrOverloaded):
		w.Header().Set("Retry-After", retryAfter)
		httpapi.WriteError(w, r, http.StatusTooManyRequests, "", "%v", err)
	case err != nil:
		httpapi.WriteErr(w, r, err)
	default:
		httpapi.WriteJSON(w, http.StatusOK, map[string]int{"accepted": len(recs)})
	}
}

func logsEnvOK(env string) error {
	if env == "" {
		return nil
	}
	return logs.ValidEnv(env)
}

// queryParams reads query, start, end, env and limit.
func (h *Handlers) queryParams(r *http.Request) (logs.QueryRequest, error) {
	q := r.URL.Query()
	now := h.Service.Now()
	req := logs.QueryRequest{Query: q.Get("query")}
	var err error
	if req.Start, err = logs.ParseTimeArg(q.Get("start"), now); err != nil {
		return req, httpapi.BadRequest("start", "start: %v", err)
	}
	if req.End, err = logs.ParseTimeArg(q.Get("end"), now); err != nil {
		return req, httpapi.BadRequest("end", "end: %v", err)
	}
	for _, e := range q["env"] {
		for _, one := range strings.Split(e, ",") {
			if err := logs.ValidEnv(one); err != nil {
				return req, httpapi.BadRequest("env", "%v", err)
			}
			req.Envs = append(req.Envs, one)
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > logql.MaxSortRows {
			return req, httpapi.BadRequest("limit", "limit must be a whole number from 1 to %d", logql.MaxSortRows)
		}
		req.Limit = n
	}
	return req, nil
}

func (h *Handlers) query(w http.ResponseWriter, r *http.Request) {
	req, err := h.queryParams(r)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	res, err := h.Service.Query(r.Context(), req)
	var qe *logs.QueryError
	if errors.As(err, &qe) {
		httpapi.WriteError(w, r, http.StatusBadRequest, "query", "%s", qe.Error())
		return
	}
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"rows":[`)
	for i, row := range res.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		WriteRow(&b, row)
	}
	fmt.Fprintf(&b, `],"count":%d,"took_ms":%.3f}`, len(res.Rows), float64(res.Took.Microseconds())/1000)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b.Bytes())
	w.Write([]byte("\n"))
}

// WriteRow writes a row as a JSON object with its fields in order.
func WriteRow(b *bytes.Buffer, row logql.Row) {
	b.WriteByte('{')
	for j, f := range row {
		if j > 0 {
			b.WriteByte(',')
		}
		writeString(b, f.Name)
		b.WriteByte(':')
		writeString(b, f.Value)
	}
	b.WriteByte('}')
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

func (h *Handlers) tail(w http.ResponseWriter, r *http.Request) {
	req, err := h.queryParams(r)
	if err != nil {
		httpapi.WriteErr(w, r, err)
		return
	}
	var since time.Duration
	if s := r.URL.Query().Get("since"); s != "" {
		if since, err = logql.ParseDuration(s); err != nil {
			httpapi.WriteError(w, r, http.StatusBadRequest, "since", "since: %v", err)
			return
		}
	}
	// Check the query before the 200 goes out, so that mistakes get a 400.
	if _, err := logs.ParseQuery(req.Query); err != nil {
		httpapi.WriteError(w, r, http.StatusBadRequest, "query", "%v", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Hour)
	defer cancel()
	start := h.Service.Now()
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if flusher != nil {
		flusher.Flush()
	}
	var b bytes.Buffer
	err = h.Service.Tail(ctx, logs.TailRequest{Query: req.Query, Envs: req.Envs, Since: since, Now: start, Poll: h.TailPoll}, func(rows []logql.Row) error {
		b.Reset()
		for _, row := range rows {
			WriteRow(&b, row)
			b.WriteByte('\n')
		}
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(w, "{\"error\":%q}\n", err.Error())
	}
}
