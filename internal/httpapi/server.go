// Package httpapi is Warden's API listener: routing with a required scope per
// route, token authentication, JSON errors, body limits, request IDs,
// metrics and health endpoints. Domain packages register their routes here;
// they never see tokens.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/pkg/applog"
)

// Access says how a route authenticates its callers.
type Access int

const (
	// Scoped routes need a bearer token carrying the route's scope.
	Scoped Access = iota
	// Public routes need nothing (health, metrics, the status page).
	Public
	// SelfAuth routes authenticate callers themselves: Sentry DSN keys, UI
	// sessions. They must still refuse anonymous callers.
	SelfAuth
)

// Route is one registered endpoint, listed so that tests can walk them all.
type Route struct {
	Pattern string // a ServeMux pattern, "GET /api/v1/things/{id}"
	Access  Access
	Scope   string // for Scoped routes
}

// ReadyCheck reports whether a dependency (the database, ...) answers.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Options configures a Server.
type Options struct {
	Tokens     *auth.Tokens
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// MaxBody caps request bodies unless a route sets its own cap.
	MaxBody int64
}

// Server routes API requests. It is an http.Handler.
type Server struct {
	opts    Options
	mux     *http.ServeMux
	handler http.Handler
	metrics *metrics

	mu     sync.Mutex
	routes []Route
	ready  []ReadyCheck
}

// New returns a Server with /healthz, /readyz and /metrics registered.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Tokens == nil {
		opts.Tokens = auth.NewTokens(nil)
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.Registerer == nil {
		reg := prometheus.NewRegistry()
		opts.Registerer, opts.Gatherer = reg, reg
	}
	s := &Server{opts: opts, mux: http.NewServeMux(), metrics: newMetrics(opts.Registerer)}
	s.handler = applog.Middleware(opts.Logger, applog.MiddlewareOptions{
		// Probes and scrapes every few seconds would drown the access log.
		SkipPaths: []string{"/healthz", "/readyz", "/metrics"},
	})(s.mux)
	s.HandlePublic("GET /healthz", http.HandlerFunc(s.healthz))
	s.HandlePublic("GET /readyz", http.HandlerFunc(s.readyz))
	s.HandlePublic("GET /metrics", promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{}))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// RouteOption changes how one route is served.
type RouteOption func(*routeConfig)

type routeConfig struct{ maxBody int64 }

// WithMaxBody sets the route's own body cap (ingest endpoints take more than
// the default).
func WithMaxBody(n int64) RouteOption { return func(c *routeConfig) { c.maxBody = n } }

// Handle registers h for pattern, for callers whose token carries scope.
func (s *Server) Handle(pattern, scope string, h http.Handler, opts ...RouteOption) {
	s.register(Route{Pattern: pattern, Access: Scoped, Scope: scope}, s.requireScope(scope, h), opts)
}

// HandleFunc is Handle for a function.
func (s *Server) HandleFunc(pattern, scope string, h func(http.ResponseWriter, *http.Request), opts ...RouteOption) {
	s.Handle(pattern, scope, http.HandlerFunc(h), opts...)
}

// HandlePublic registers h for pattern with no authentication.
func (s *Server) HandlePublic(pattern string, h http.Handler, opts ...RouteOption) {
	s.register(Route{Pattern: pattern, Access: Public}, h, opts)
}

// HandleSelfAuth registers h, which authenticates its callers itself.
func (s *Server) HandleSelfAuth(pattern string, h http.Handler, opts ...RouteOption) {
	s.register(Route{Pattern: pattern, Access: SelfAuth}, h, opts)
}

func (s *Server) register(rt Route, h http.Handler, opts []RouteOption) {
	cfg := routeConfig{maxBody: s.opts.MaxBody}
	for _, o := range opts {
		o(&cfg)
	}
	instrumented := s.metrics.instrument(rt.Pattern, h)
	s.mux.Handle(rt.Pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		applog.SetRoute(r.Context(), rt.Pattern)
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, cfg.maxBody)
		}
		instrumented.ServeHTTP(w, r)
	}))
	s.mu.Lock()
	s.routes = append(s.routes, rt)
	s.mu.Unlock()
}

// Routes lists every registered route.
func (s *Server) Routes() []Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Route(nil), s.routes...)
}

// AddReadyCheck makes /readyz depend on c.
func (s *Server) AddReadyCheck(c ReadyCheck) {
	s.mu.Lock()
	s.ready = append(s.ready, c)
	s.mu.Unlock()
}

// requireScope authenticates the bearer token: 401 without a valid one, 403
// when it lacks the scope.
func (s *Server) requireScope(scope string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="warden"`)
			WriteError(w, r, http.StatusUnauthorized, "", "missing bearer token (send Authorization: Bearer <token>)")
			return
		}
		p, ok := s.opts.Tokens.Lookup(secret)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="warden", error="invalid_token"`)
			WriteError(w, r, http.StatusUnauthorized, "", "unknown token")
			return
		}
		if !p.Has(scope) {
			WriteError(w, r, http.StatusForbidden, "", "token %q lacks the scope %q", p.Name, scope)
			return
		}
		applog.SetUserID(r.Context(), p.Kind+":"+p.Name)
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return "", false
	}
	return strings.TrimSpace(secret), true
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	checks := append([]ReadyCheck(nil), s.ready...)
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	failing := map[string]string{}
	for _, c := range checks {
		if err := c.Check(ctx); err != nil {
			failing[c.Name] = err.Error()
		}
	}
	if len(failing) > 0 {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "failing": failing})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
