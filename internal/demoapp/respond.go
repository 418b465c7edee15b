package demoapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// maxBodyBytes bounds every JSON request body; the largest legitimate one,
// a payment, is a few hundred bytes.
const maxBodyBytes = 64 << 10

// errorBody is the one error shape of the API.
type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store") // tokens and payments are private
	w.WriteHeader(status)
	// The client may be gone; there is nobody left to tell.
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// decodeJSON reads one JSON object into v. Unknown fields are refused so
// that a misspelt field ("ammount") fails loudly instead of defaulting.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fmt.Errorf("request body is larger than %d bytes", tooBig.Limit)
		}
		return fmt.Errorf("invalid JSON body: %v", err)
	}
	if dec.More() {
		return errors.New("invalid JSON body: more than one JSON value")
	}
	return nil
}

// serverError answers a 5xx caused by err: the client gets msg only, the
// log gets the error, and OnError gets both the request and the error.
func (a *App) serverError(w http.ResponseWriter, r *http.Request, status int, msg string, err error) {
	a.reportError(r, err)
	writeError(w, status, msg)
}

// reportError logs err at error level and hands it to OnError.
func (a *App) reportError(r *http.Request, err error) {
	a.requestLogger(r).ErrorContext(r.Context(), "request failed",
		"method", r.Method, "path", r.URL.Path, "error", err.Error())
	if a.onError != nil {
		a.onError(r, err)
	}
}

// requestLogger returns the app logger with the request's identifiers, so
// that an event line can be joined to its access line.
func (a *App) requestLogger(r *http.Request) *slog.Logger {
	ri := info(r)
	l := a.logger
	if ri.requestID != "" {
		l = l.With("request_id", ri.requestID)
	}
	if ri.userID != "" {
		l = l.With("user_id", ri.userID)
	}
	return l
}
