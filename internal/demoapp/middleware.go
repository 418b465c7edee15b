package demoapp

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
)

// PanicError is the error OnError receives for a recovered panic.
type PanicError struct {
	Value any    // what the handler panicked with
	Stack []byte // the panicking goroutine's stack, as debug.Stack formats it
}

// Error describes the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through the panic.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// maxRequestIDLen keeps a client-chosen X-Request-ID from bloating every
// log line of the request.
const maxRequestIDLen = 128

// requestInfo is what the access line needs from deeper handlers. It travels
// as a pointer in the request context because handlers receive a copy of
// the request and cannot hand values back otherwise.
type requestInfo struct {
	requestID string
	userID    string // set by requireUser once the token checks out
}

type requestInfoKey struct{}

// info returns the request's requestInfo; never nil, so handlers served
// without the access log (in unit tests) still work.
func info(r *http.Request) *requestInfo {
	if ri, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// accessLog writes one line per request, after it is answered. It also
// carries X-Request-ID through: the gateway in front mints it, and echoing
// it back lets a client quote it in a support ticket.
func (a *App) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := a.now()
		ri := &requestInfo{requestID: r.Header.Get("X-Request-ID")}
		if len(ri.requestID) > maxRequestIDLen {
			ri.requestID = ri.requestID[:maxRequestIDLen]
		}
		if ri.requestID != "" {
			w.Header().Set("X-Request-ID", ri.requestID)
		}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)

		attrs := []any{
			"method", r.Method,
			"path", r.URL.Path,
			"route", r.Pattern, // set by ServeMux on this very request
			"status", sw.Status(),
			"bytes", sw.bytes,
			"duration_ms", float64(a.now().Sub(start).Microseconds()) / 1000,
		}
		if ri.requestID != "" {
			attrs = append(attrs, "request_id", ri.requestID)
		}
		if ri.userID != "" {
			attrs = append(attrs, "user_id", ri.userID)
		}
		a.logger.InfoContext(r.Context(), "http request", attrs...)
	})
}

// recoverPanics turns a handler panic into a 500 and reports it, so that one
// bad request neither kills the connection silently nor goes unnoticed.
func (a *App) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // net/http's own way to abort a response; not a bug
			}
			// Still inside the deferred call, the panicking frames are on
			// the stack, which is what an error reporter wants to capture.
			err := &PanicError{Value: v, Stack: debug.Stack()}
			if sw.status != 0 {
				// Too late for a 500: the client already has a status.
				a.reportError(r, err)
				return
			}
			a.serverError(sw, r, http.StatusInternalServerError, "internal server error", err)
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status and size of a response for the access
// line.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Status is the status sent, or the 200 net/http sends for a handler that
// wrote nothing.
func (w *statusWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
