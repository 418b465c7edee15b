// Package demoapp is the small payments API that `warden demo` runs next to
// Warden, so that every part of Warden has real traffic to work on: the
// gateway proxies it, its JSON logs are shipped, its errors are reported, its
// health is checked and its traffic generator feeds all of them.
//
// The app keeps its state in memory and is safe for concurrent use. Its demo
// users and test routes (/api/test/...) are public on purpose: it is a
// showcase, never a template for a real service.
package demoapp

import (
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// Options configures an App. The zero value is usable.
type Options struct {
	// Logger receives one access line per request and the app's own events
	// (auth.login, payment.created, errors). Nil discards them.
	Logger *slog.Logger

	// Clock tells the time for timestamps and token expiry; nil means
	// time.Now. Tests pass a fake to expire tokens without sleeping.
	Clock func() time.Time

	// OnError is called for every 5xx answer caused by an error and for
	// every recovered panic (then err is a *PanicError), from the goroutine
	// serving r, so that an error reporter such as sentry-go sees the
	// request and, for panics, the panicking stack. Nil means no hook.
	OnError func(r *http.Request, err error)

	// ShutdownTimeout bounds the graceful shutdown of Start: in-flight
	// requests get this long to finish before their connections are
	// closed. Zero means 10s, which outlasts the slowest demo route (5s).
	ShutdownTimeout time.Duration
}

const defaultShutdownTimeout = 10 * time.Second

// App is the demo payments API. Create it with New; serve it either through
// Handler (for example inside httptest) or with Start.
type App struct {
	logger          *slog.Logger
	now             func() time.Time
	onError         func(*http.Request, error)
	shutdownTimeout time.Duration

	handler  http.Handler
	down     atomic.Bool // set by POST /api/test/health?state=down
	sessions *sessions
	payments *paymentStore

	srv server // state of Start; see server.go

	// slowStarted, when set by a test, is called as /api/test/slow starts
	// waiting, so that shutdown tests know a request is in flight.
	slowStarted func()
}

// New returns an App with its demo users and no payments.
func New(opts Options) *App {
	a := &App{
		logger:          opts.Logger,
		now:             opts.Clock,
		onError:         opts.OnError,
		shutdownTimeout: opts.ShutdownTimeout,
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.shutdownTimeout <= 0 {
		a.shutdownTimeout = defaultShutdownTimeout
	}
	a.sessions = newSessions()
	a.payments = newPaymentStore()
	a.handler = a.accessLog(a.recoverPanics(a.routes()))
	return a
}

// Handler returns the app's HTTP handler: routing, panic recovery and the
// access log. It is the same handler that Start serves.
func (a *App) Handler() http.Handler { return a.handler }

// route is one method and pattern of the API.
type route struct {
	method, path string
	handler      http.HandlerFunc
}

func (a *App) routes() *http.ServeMux {
	table := []route{
		{"GET", "/api/health", a.handleHealth},
		{"POST", "/api/auth/login", a.handleLogin},
		{"GET", "/api/payments", a.requireUser(a.handleListPayments)},
		{"POST", "/api/payments", a.requireUser(a.handleCreatePayment)},
		{"GET", "/api/payments/{id}", a.requireUser(a.handleGetPayment)},
		{"POST", "/api/test/health", a.handleSetHealth},
		{"GET", "/api/test/error", a.handleTestError},
		{"GET", "/api/test/panic", a.handleTestPanic},
		{"GET", "/api/test/slow", a.handleTestSlow},
		{"POST", "/api/test/hooks/{name}", a.handleHook},
	}
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range table {
		mux.HandleFunc(rt.method+" "+rt.path, rt.handler)
		allowed[rt.path] = append(allowed[rt.path], rt.method)
		if rt.method == http.MethodGet {
			allowed[rt.path] = append(allowed[rt.path], http.MethodHead)
		}
	}
	// ServeMux answers unknown paths and wrong methods in plain text; these
	// method-less patterns lose to the ones above and answer in JSON, so
	// that clients and the log pipeline see one error shape everywhere.
	for path, methods := range allowed {
		sort.Strings(methods)
		allow := strings.Join(methods, ", ")
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed")
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})
	return mux
}
