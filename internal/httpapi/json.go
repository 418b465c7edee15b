package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/wardenhq/warden/pkg/applog"
)

// ErrorBody is the JSON every API error answers with.
type ErrorBody struct {
	Error     string `json:"error"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// WriteJSON answers with v encoded as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// WriteError answers with a JSON error naming the problem and, when it is
// about one input field, the field.
func WriteError(w http.ResponseWriter, r *http.Request, status int, field, format string, args ...any) {
	WriteJSON(w, status, ErrorBody{
		Error:     fmt.Sprintf(format, args...),
		Field:     field,
		RequestID: applog.RequestID(r.Context()),
	})
}

// Error is a problem with a request that maps to an HTTP status.
type Error struct {
	Status int
	Field  string
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// BadRequest returns a 400 error about field.
func BadRequest(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// WriteErr answers with err: its own status when it is an *Error, else 500
// with a generic message (the details go to the log, not to the caller).
func WriteErr(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if errors.As(err, &e) {
		WriteError(w, r, e.Status, e.Field, "%s", e.Msg)
		return
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		WriteError(w, r, http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", tooBig.Limit)
		return
	}
	// The default logger is Warden's own (set in main), with the request ID.
	slog.ErrorContext(r.Context(), "request failed", "error", err)
	WriteError(w, r, http.StatusInternalServerError, "", "internal error")
}

// DecodeJSON reads the request body as one JSON value into v, refusing
// unknown fields and trailing data, so that a typo in a field name is an
// error rather than silently ignored.
func DecodeJSON(r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &Error{Status: http.StatusUnsupportedMediaType, Msg: "Content-Type must be application/json"}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return BadRequest("", "body must hold one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.As(err, &syntax):
		return BadRequest("", "body is not valid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typeErr):
		return BadRequest(typeErr.Field, "%s must be %s, not %s", typeErr.Field, typeErr.Type, typeErr.Value)
	case errors.Is(err, io.EOF):
		return BadRequest("", "body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("", "body ends in the middle of a JSON value")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return BadRequest(field, "unknown field %q", field)
	}
	return BadRequest("", "%v", err)
}
