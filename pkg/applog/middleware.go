package applog

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime/debug"
	"time"
)

// MiddlewareOptions configures Middleware.
type MiddlewareOptions struct {
	// SkipPaths lists URL paths, matched exactly, that get no access line,
	// such as "/healthz" polled every few seconds by a load balancer. They
	// still get a request ID and panic recovery.
	SkipPaths []string
}

// Middleware returns HTTP middleware that gives each request an ID, writes
// one access line when it ends and turns handler panics into a 500.
//
// The ID is the caller's X-Request-ID header when it is 1 to 128 characters
// of [A-Za-z0-9._:-], so one ID can follow a request across services, and
// otherwise a new one from NewRequestID. It is echoed in the X-Request-ID
// response header and put in the request context (see RequestID).
//
// The access line has msg "request" and the fields method, route (the
// http.ServeMux pattern, or what SetRoute recorded), path, status,
// duration_ms, bytes, user_id (when set), remote_ip, user_agent and
// request_id. It is logged at info, or at error when the status is 5xx or the
// handler panicked. Status is 0 when no response went through the writer:
// the connection was hijacked or aborted. Put Middleware outside the mux so it sees every request;
// remote_ip is taken from Request.RemoteAddr, so a proxy-aware middleware
// that rewrites RemoteAddr must run before it. The query string is left out
// of path because it often holds tokens.
//
// A panic is logged at error with its stack. If nothing was written yet the
// client gets a 500; otherwise the response is aborted with
// http.ErrAbortHandler, so a truncated body is not taken as complete.
// A panic with http.ErrAbortHandler itself is passed on after the access line.
func Middleware(logger *slog.Logger, opts MiddlewareOptions) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	skip := make(map[string]bool, len(opts.SkipPaths))
	for _, p := range opts.SkipPaths {
		skip[p] = true
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := r.Header.Get(RequestIDHeader)
			if !validRequestID(id) {
				id = NewRequestID()
			}
			w.Header().Set(RequestIDHeader, id)
			st := &requestState{id: id}
			r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
			rec := &recorder{ResponseWriter: w}

			defer func() {
				// A deferred call cannot re-panic before logging, so the
				// outcome of recover decides what is logged and re-raised.
				failed, rethrow := recoverPanic(logger, r, rec, recover())
				if !skip[r.URL.Path] {
					logAccess(logger, r, rec, st, time.Since(start), failed)
				}
				if rethrow != nil {
					panic(rethrow)
				}
			}()
			next.ServeHTTP(rec.wrap(), r)
		})
	}
}

// recoverPanic handles the value recovered from the handler, if any. It
// reports whether the request failed and what to panic with afterwards.
func recoverPanic(logger *slog.Logger, r *http.Request, rec *recorder, p any) (failed bool, rethrow any) {
	if p == nil {
		return false, nil
	}
	if p == http.ErrAbortHandler {
		// The handler chose to abort; net/http knows to stay quiet.
		return true, p
	}
	logger.LogAttrs(r.Context(), slog.LevelError, "panic",
		slog.String("panic", fmt.Sprint(p)),
		slog.String("stack", string(debug.Stack())),
		slog.String(requestIDKey, RequestID(r.Context())),
	)
	switch {
	case rec.hijacked:
		// The connection is the handler's now; nothing to answer on.
	case rec.wroteHeader:
		return true, http.ErrAbortHandler
	default:
		http.Error(rec, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
	return true, nil
}

// logAccess writes the access line. The request fields are added here
// rather than left to the context handler so that a logger built without
// New still gets them; the context handler does not repeat them.
func logAccess(logger *slog.Logger, r *http.Request, rec *recorder, st *requestState, d time.Duration, failed bool) {
	status := rec.status
	if !rec.wroteHeader && !rec.hijacked && !failed {
		status = http.StatusOK // what net/http sends for an empty response
	}
	level := slog.LevelInfo
	if failed || status >= 500 {
		level = slog.LevelError
	}
	route := st.routePattern()
	if route == "" {
		route = r.Pattern // set in place by http.ServeMux on this request
	}
	attrs := make([]slog.Attr, 0, 11)
	attrs = append(attrs,
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", math.Round(float64(d)/float64(time.Microsecond))/1000),
		slog.Int64("bytes", rec.bytes),
	)
	if u := st.user(); u != "" {
		attrs = append(attrs, slog.String(userIDKey, u))
	}
	attrs = append(attrs,
		slog.String("remote_ip", remoteIP(r.RemoteAddr)),
		slog.String("user_agent", r.UserAgent()),
		slog.String(requestIDKey, st.id),
	)
	if rec.hijacked {
		// Status and bytes only cover what went through the ResponseWriter.
		attrs = append(attrs, slog.Bool("hijacked", true))
	}
	logger.LogAttrs(r.Context(), level, "request", attrs...)
}

// remoteIP drops the port from addr, leaving addr as is if it has none.
func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
