// Package app wires Warden's parts together in one place that reads top to
// bottom: storage, the API listener, the scheduler, the web UI, then each
// domain part. serve and demo both run an App.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/schedule"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/ui"
)

// Version is set at build time with -ldflags "-X .../internal/app.Version=v1.2.3".
var Version = "dev"

// App is one running Warden.
type App struct {
	Config    *config.Config
	Logger    *slog.Logger
	DB        *store.DB
	Registry  *prometheus.Registry
	API       *httpapi.Server
	Alerts    *alert.Router
	Logs      *logs.Service
	Audit     *audit.Service
	UI        *ui.UI
	Scheduler *schedule.Scheduler

	Errors *errtrack.Service

	started  time.Time
	listener net.Listener
	server   *http.Server
	serveErr chan error
	// stoppers run in reverse order of registration at shutdown, after the
	// listener has drained, so that parts flush what requests handed them.
	mu       sync.Mutex
	stoppers []stopper
	// onStart runs once the listener is up, in order.
	onStart []func(ctx context.Context) error
	gateway *gatewayPart // nil unless gateway.upstream is set
}

type stopper struct {
	name string
	stop func(ctx context.Context) error
}

// New builds every part the configuration enables. Nothing listens yet.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*App, error) {
	a := &App{Config: cfg, Logger: logger, Registry: prometheus.NewRegistry(), started: time.Now()}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "warden_build_info", Help: "Always 1; the version label says which build runs.",
		ConstLabels: prometheus.Labels{"version": Version},
	}, func() float64 { return 1 }))

	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a.DB = db
	a.OnStop("database", func(context.Context) error { return db.Close() })

	a.API = httpapi.New(httpapi.Options{
		Tokens:     auth.NewTokens(tokens(cfg)),
		Logger:     logger,
		Registerer: a.Registry,
		Gatherer:   a.Registry,
		MaxBody:    int64(cfg.Server.MaxBody),
	})
	a.API.AddReadyCheck(httpapi.ReadyCheck{Name: "database", Check: db.Ping})

	if err := a.wireParts(ctx); err != nil {
		a.stopAll(context.Background())
		return nil, err
	}
	return a, nil
}

// OpenDB opens the configured database and brings its schema up to date.
// The CLI uses it for commands that work on stored state directly.
func OpenDB(ctx context.Context, cfg *config.Config) (*store.DB, error) {
	db, err := store.Open(ctx, store.Options{URL: cfg.Database.URL.Value(), DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, migrations()...); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func tokens(cfg *config.Config) []auth.Token {
	out := make([]auth.Token, 0, len(cfg.Tokens))
	for _, t := range cfg.Tokens {
		out = append(out, auth.Token{Name: t.Name, Secret: t.Token.Value(), Scopes: t.Scopes})
	}
	return out
}

// OnStop registers f to run at shutdown; later registrations stop first.
func (a *App) OnStop(name string, f func(ctx context.Context) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stoppers = append(a.stoppers, stopper{name, f})
}

// Start binds the API listener and serves in the background.
func (a *App) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another Warden running? change listen: in the config)", a.Config.Listen, err)
	}
	a.listener = ln
	a.server = &http.Server{
		Handler:           a.API,
		ReadHeaderTimeout: a.Config.Server.ReadHeaderTimeout.Std(),
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	a.serveErr = make(chan error, 1)
	go func() { a.serveErr <- a.server.Serve(ln) }()
	if err := a.startParts(ctx); err != nil {
		return err
	}
	a.Logger.Info("warden started", "listen", a.Addr(), "database", string(a.DB.Dialect),
		"data_dir", a.Config.DataDir, "environment", a.Config.Environment)
	return nil
}

// Addr is the address the API listens on (useful with port 0).
func (a *App) Addr() string {
	if a.listener == nil {
		return ""
	}
	return a.listener.Addr().String()
}

// URL is the base URL of the API listener.
func (a *App) URL() string { return "http://" + a.Addr() }

// Wait blocks until the listener fails on its own.
func (a *App) Wait() <-chan error { return a.serveErr }

// Shutdown stops accepting connections, lets in-flight requests finish, then
// stops every part (flushing their buffers) and closes the database. It
// returns once all of that is done or ctx expires.
func (a *App) Shutdown(ctx context.Context) error {
	var errs []error
	if a.server != nil {
		if err := a.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("drain API listener: %w", err))
			a.server.Close()
		}
		if err := <-a.serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		a.serveErr <- http.ErrServerClosed // keep Wait from blocking forever after shutdown
	}
	errs = append(errs, a.stopAll(ctx))
	return errors.Join(errs...)
}

func (a *App) stopAll(ctx context.Context) error {
	a.mu.Lock()
	stoppers := a.stoppers
	a.stoppers = nil
	a.mu.Unlock()
	var errs []error
	for i := len(stoppers) - 1; i >= 0; i-- {
		if err := stoppers[i].stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", stoppers[i].name, err))
		}
	}
	return errors.Join(errs...)
}

// Hostname names this instance in logs and job ownership.
func Hostname() string {
	h, err := os.Hostname()
	if err != nil {
		h = "warden"
	}
	return fmt.Sprintf("%s:%d", h, os.Getpid())
}
