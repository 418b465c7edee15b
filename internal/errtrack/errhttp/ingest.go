// Package errhttp is error tracking's HTTP side: the Sentry ingest
// endpoints (envelope and legacy store) that authenticate with DSN keys,
// and the issues API that needs a token.
package errhttp

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/errtrack/envelope"
	"github.com/wardenhq/warden/internal/errtrack/forward"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/scrub"
)

// Ingest serves POST /api/<project>/envelope/ and /store/.
type Ingest struct {
	Service *errtrack.Service
	// MaxBody caps the body after content decoding.
	MaxBody int64
	// Scrubber redacts events before they are stored (scrub's default when nil).
	Scrubber *scrub.Scrubber
	// Forward, when set, gets each stored event (scrubbed) for projects
	// that forward to an upstream Sentry.
	Forward *forward.Forwarder
	Now     func() time.Time
}

// Register adds the ingest routes. They authenticate with DSN keys, so
// they are SelfAuth; the raw body cap is the decoded cap, since encoded
// bodies are smaller than what they decode to.
func (h *Ingest) Register(s *httpapi.Server) {
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.Scrubber == nil {
		h.Scrubber = scrub.New(scrub.Options{})
	}
	for _, kind := range []string{"envelope", "store"} {
		kind := kind
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, kind) })
		// No OPTIONS route: browser SDKs send "simple" CORS requests
		// (text/plain, key in the query) precisely to need no preflight.
		s.HandleSelfAuth("POST /api/{project}/"+kind+"/{$}", handler, httpapi.WithMaxBody(h.MaxBody))
	}
}

func cors(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Expose-Headers", "X-Sentry-Error, X-Sentry-Rate-Limits, Retry-After")
}

// fail answers a Sentry client: a JSON error plus X-Sentry-Error, which the
// SDKs log.
func fail(w http.ResponseWriter, r *http.Request, status int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	w.Header().Set("X-Sentry-Error", msg)
	httpapi.WriteError(w, r, status, "", "%s", msg)
}

func (h *Ingest) serve(w http.ResponseWriter, r *http.Request, kind string) {
	cors(w)
	// Authenticate what can be before reading the body; the envelope's dsn
	// is read only when no header or query parameter carries a key.
	key, authErr := envelope.Key(r, "")
	if authErr != nil && (kind == "store" || !errors.Is(authErr, envelope.ErrMissingKey)) {
		fail(w, r, http.StatusUnauthorized, "%v", authErr)
		return
	}
	projectID, err := strconv.Atoi(r.PathValue("project"))
	if (err != nil || projectID <= 0) && authErr != nil {
		fail(w, r, http.StatusUnauthorized, "%v", authErr)
		return
	}
	if err != nil || projectID <= 0 {
		fail(w, r, http.StatusNotFound, "%q is not a project id (the DSN ends in /<number>)", r.PathValue("project"))
		return
	}
	if authErr == nil {
		if !h.checkProject(w, r, key, projectID) {
			return
		}
	}
	body, err := envelope.DecodeSized(r.Body, r.Header.Get("Content-Encoding"), h.MaxBody, r.ContentLength)
	if err != nil {
		h.bodyError(w, r, err)
		return
	}
	var events [][]byte
	var headerID string
	if kind == "envelope" {
		env, err := envelope.Parse(body)
		if err != nil {
			fail(w, r, http.StatusBadRequest, "%v", err)
			return
		}
		headerID = env.Header.EventID
		if authErr != nil {
			if env.Header.DSN == "" {
				fail(w, r, http.StatusUnauthorized, "%v", authErr)
				return
			}
			if key, err = envelope.DSNKey(env.Header.DSN); err != nil {
				fail(w, r, http.StatusUnauthorized, "%v", err)
				return
			}
			if !h.checkProject(w, r, key, projectID) {
				return
			}
		}
		for _, it := range env.Items {
			// Sessions, transactions, attachments, client reports and
			// whatever comes next are accepted and skipped.
			if it.Type == "event" || it.Type == "error" {
				events = append(events, it.Payload)
			}
		}
	} else {
		if authErr != nil {
			fail(w, r, http.StatusUnauthorized, "%v", authErr)
			return
		}
		events = append(events, legacyStoreBody(body))
	}
	if len(events) == 0 {
		httpapi.WriteJSON(w, http.StatusOK, map[string]string{"id": headerID})
		return
	}
	if ok, wait := h.Service.Allow(projectID); !ok {
		rateLimited(w, r, wait, "project %d is over its event rate", projectID)
		return
	}
	var lastID string
	for _, payload := range events {
		id, err := h.ingestOne(r.Context(), projectID, payload)
		if err != nil {
			h.ingestError(w, r, err)
			return
		}
		lastID = id
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"id": lastID})
}

func (h *Ingest) checkProject(w http.ResponseWriter, r *http.Request, key string, projectID int) bool {
	p, ok := h.Service.ProjectByKey(key)
	if !ok {
		fail(w, r, http.StatusForbidden, "unknown DSN key")
		return false
	}
	if p.ID != projectID {
		fail(w, r, http.StatusForbidden, "this DSN key belongs to project %d, not %d", p.ID, projectID)
		return false
	}
	return true
}

func (h *Ingest) ingestOne(ctx context.Context, projectID int, payload []byte) (string, error) {
	// Validate, scrub the very bytes in place, then read the event once
	// from the scrubbed bytes: nothing unscrubbed is grouped, titled or
	// stored, and an event with something to redact (most carry request
	// headers) is not read twice.
	now := h.Now()
	payload = bytes.TrimSpace(payload)
	if !envelope.ValidJSON(payload) {
		// Reading it names the problem.
		if _, err := envelope.ParseEvent(payload, now); err != nil {
			return "", err
		}
		return "", &envelope.EventError{Msg: "not valid JSON"}
	}
	clean, _, err := h.Scrubber.JSONInPlaceValid(payload)
	if err != nil {
		return "", &envelope.EventError{Msg: "not valid JSON: " + err.Error()}
	}
	ev, err := envelope.ParseEvent(clean, now)
	if err != nil {
		return "", err
	}
	if _, err := h.Service.Ingest(ctx, projectID, ev); err != nil {
		return "", err
	}
	if h.Forward != nil {
		h.Forward.Enqueue(projectID, ev.ID, ev.Raw)
	}
	return ev.ID, nil
}

// legacyStoreBody undoes the old SDKs' base64 of zlib store bodies; JSON
// passes through.
func legacyStoreBody(b []byte) []byte {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] == '{' {
		return t
	}
	raw, err := base64.StdEncoding.DecodeString(string(t))
	if err != nil {
		return t
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return t
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(len(raw))*64+1024))
	if err != nil {
		return t
	}
	return out
}

func (h *Ingest) bodyError(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *envelope.TooLargeError
	var mb *http.MaxBytesError
	var enc *envelope.EncodingError
	switch {
	case errors.As(err, &tooBig):
		fail(w, r, http.StatusRequestEntityTooLarge, "%v", err)
	case errors.As(err, &mb):
		fail(w, r, http.StatusRequestEntityTooLarge, "body is larger than %d bytes", mb.Limit)
	case errors.As(err, &enc):
		if strings.Contains(err.Error(), "unsupported Content-Encoding") {
			fail(w, r, http.StatusUnsupportedMediaType, "%v", err)
			return
		}
		fail(w, r, http.StatusBadRequest, "%v", err)
	default:
		fail(w, r, http.StatusBadRequest, "could not read the body: %v", err)
	}
}

func (h *Ingest) ingestError(w http.ResponseWriter, r *http.Request, err error) {
	var evErr *envelope.EventError
	switch {
	case errors.As(err, &evErr):
		fail(w, r, http.StatusBadRequest, "%v", err)
	case errors.Is(err, errtrack.ErrOverloaded), errors.Is(err, errtrack.ErrStopped):
		rateLimited(w, r, time.Second, "%v", err)
	default:
		httpapi.WriteErr(w, r, err)
	}
}

// rateLimited answers 429 with Retry-After and Sentry's
// X-Sentry-Rate-Limits (retry_after:categories:scope; no categories means
// all of them), which the SDKs obey.
func rateLimited(w http.ResponseWriter, r *http.Request, wait time.Duration, format string, args ...any) {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	w.Header().Set("X-Sentry-Rate-Limits", strconv.Itoa(secs)+"::project")
	fail(w, r, http.StatusTooManyRequests, format, args...)
}
