// Package applog makes Go services log structured JSON lines that Warden
// ingests: one object per line with time, level, msg and the service fields,
// and the request ID on every line logged while serving a request.
//
//	logger := applog.New(os.Stderr, applog.Options{Service: "payments", Environment: "prod"})
//	slog.SetDefault(logger)
//	handler := applog.Middleware(logger, applog.MiddlewareOptions{SkipPaths: []string{"/healthz"}})(mux)
//
// Inside handlers, log with the request context (logger.InfoContext(r.Context(), ...))
// so the line carries request_id, and call SetUserID once the caller is known.
// Middleware writes one "request" access line per request and recovers panics.
package applog
