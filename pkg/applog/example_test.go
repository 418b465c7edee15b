package applog_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/wardenhq/warden/pkg/applog"
)

// stableOutput pins the fields that change from run to run, so the examples
// can show their output. Real services leave ReplaceAttr unset.
func stableOutput(groups []string, a slog.Attr) slog.Attr {
	switch a.Key {
	case slog.TimeKey:
		return slog.String(slog.TimeKey, "2026-03-01T09:30:00.123456789Z")
	case "duration_ms":
		return slog.Float64("duration_ms", 1.5)
	}
	return a
}

func ExampleNew() {
	level, err := applog.ParseLevel("INFO")
	if err != nil {
		fmt.Println(err)
		return
	}
	logger := applog.New(os.Stdout, applog.Options{
		Level:       level,
		Service:     "payments",
		Environment: "prod",
		Version:     "1.4.2",
		ReplaceAttr: stableOutput,
	})
	logger.Debug("not written: below the level")
	logger.Info("listening", "addr", ":8080")
	logger.Error("charge failed", "provider", "acme", "attempt", 3)
	// Output:
	// {"time":"2026-03-01T09:30:00.123456789Z","level":"info","msg":"listening","service":"payments","env":"prod","version":"1.4.2","addr":":8080"}
	// {"time":"2026-03-01T09:30:00.123456789Z","level":"error","msg":"charge failed","service":"payments","env":"prod","version":"1.4.2","provider":"acme","attempt":3}
}

func ExampleMiddleware() {
	logger := applog.New(os.Stdout, applog.Options{Service: "payments", ReplaceAttr: stableOutput})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/payments/{id}", func(w http.ResponseWriter, r *http.Request) {
		// Logging with the request context adds request_id.
		logger.InfoContext(r.Context(), "loading payment", "payment_id", r.PathValue("id"))
		fmt.Fprint(w, `{"id":"42"}`)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	handler := applog.Middleware(logger, applog.MiddlewareOptions{SkipPaths: []string{"/healthz"}})(mux)

	req := httptest.NewRequest("GET", "/api/payments/42?token=secret", nil)
	req.Header.Set("X-Request-ID", "req-7f3a")
	req.Header.Set("User-Agent", "curl/8.5.0")
	handler.ServeHTTP(httptest.NewRecorder(), req)

	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	// Output:
	// {"time":"2026-03-01T09:30:00.123456789Z","level":"info","msg":"loading payment","service":"payments","payment_id":"42","request_id":"req-7f3a"}
	// {"time":"2026-03-01T09:30:00.123456789Z","level":"info","msg":"request","service":"payments","method":"GET","route":"GET /api/payments/{id}","path":"/api/payments/42","status":200,"duration_ms":1.5,"bytes":11,"remote_ip":"192.0.2.1","user_agent":"curl/8.5.0","request_id":"req-7f3a"}
}

func ExampleSetUserID() {
	logger := applog.New(os.Stdout, applog.Options{ReplaceAttr: stableOutput})

	authenticated := func(w http.ResponseWriter, r *http.Request) {
		// After checking the session, record who the request acts for:
		// this line, later ones and the access line carry user_id.
		applog.SetUserID(r.Context(), "u_1029")
		logger.InfoContext(r.Context(), "refund issued", "amount_cents", 1250)
		w.WriteHeader(http.StatusCreated)
	}
	handler := applog.Middleware(logger, applog.MiddlewareOptions{})(http.HandlerFunc(authenticated))

	req := httptest.NewRequest("POST", "/refunds", nil)
	req.Header.Set("X-Request-ID", "req-91c2")
	handler.ServeHTTP(httptest.NewRecorder(), req)
	// Output:
	// {"time":"2026-03-01T09:30:00.123456789Z","level":"info","msg":"refund issued","amount_cents":1250,"request_id":"req-91c2","user_id":"u_1029"}
	// {"time":"2026-03-01T09:30:00.123456789Z","level":"info","msg":"request","method":"POST","route":"","path":"/refunds","status":201,"duration_ms":1.5,"bytes":0,"user_id":"u_1029","remote_ip":"192.0.2.1","user_agent":"","request_id":"req-91c2"}
}
