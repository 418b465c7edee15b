package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/errtrack/errhttp"
	"github.com/wardenhq/warden/internal/errtrack/errsql"
	"github.com/wardenhq/warden/internal/errtrack/errui"
	"github.com/wardenhq/warden/internal/errtrack/forward"
	"github.com/wardenhq/warden/internal/schedule"
)

// ErrorProjects turns the configured projects into errtrack's.
func ErrorProjects(cfg *config.Config) []errtrack.Project {
	out := make([]errtrack.Project, 0, len(cfg.Errors.Projects))
	for _, p := range cfg.Errors.Projects {
		ep := errtrack.Project{ID: p.ID, Name: p.Name, Key: p.Key.Value(), RatePerSecond: p.Rate.PerSecond, Burst: p.Rate.Burst}
		if s := p.Spike; s != nil {
			ep.Spike = &errtrack.Spike{Events: s.Events, Window: s.Window.Std(), PerProject: s.Per == "project", Environment: s.Environment, Level: s.Level}
		}
		out = append(out, ep)
	}
	return out
}

// ErrorsBaseURL is the address SDKs reach Warden at: public_url when set,
// else the listen address.
func ErrorsBaseURL(cfg *config.Config, listenAddr string) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	return "http://" + listenAddr
}

// wireErrors builds error tracking: the Sentry ingest endpoints, the issues
// API, the event retention job, and prints each project's DSN once the
// listener is up.
func (a *App) wireErrors(ctx context.Context) error {
	var raiser alert.Raiser = alert.Discard{}
	if a.Alerts != nil {
		raiser = a.Alerts
	}
	svc := errtrack.New(errtrack.Options{
		Store:       errsql.New(a.DB),
		Alerts:      raiser,
		Logger:      a.Logger,
		Projects:    ErrorProjects(a.Config),
		ExternalURL: a.Config.PublicURL,
	})
	a.Errors = svc
	fwd, err := newForwarder(a.Config, a.Logger)
	if err != nil {
		return err
	}
	(&errhttp.Ingest{Service: svc, MaxBody: int64(a.Config.Errors.MaxBody), Forward: fwd}).Register(a.API)
	(&errhttp.Issues{Service: svc}).Register(a.API)
	if err := a.wireErrorsUI(svc); err != nil {
		return err
	}
	retention := a.Config.Errors.Retention.Std()
	if err := a.Scheduler.Add(schedule.Job{
		Name: "errors:retention", Schedule: schedule.Every(time.Hour), Timeout: 10 * time.Minute,
		Run: func(ctx context.Context) error {
			n, err := svc.Store().DeleteEventsBefore(ctx, time.Now().Add(-retention))
			if n > 0 {
				a.Logger.Info("deleted old error events", "events", n, "retention", a.Config.Errors.Retention.String())
			}
			return err
		},
	}); err != nil {
		return err
	}
	a.onStart = append(a.onStart, func(ctx context.Context) error {
		svc.Start()
		a.OnStop("error tracking", svc.Stop)
		if fwd != nil {
			fwd.Start()
			a.OnStop("error forwarding", fwd.Stop)
		}
		for _, p := range svc.Projects() {
			a.Logger.Info("error tracking project", "project", p.Name, "dsn", errtrack.DSN(ErrorsBaseURL(a.Config, a.Addr()), p))
		}
		return nil
	})
	return nil
}

// newForwarder builds the upstream forwarder, or nil when no project
// forwards.
func newForwarder(cfg *config.Config, logger *slog.Logger) (*forward.Forwarder, error) {
	dsns := map[int]string{}
	for _, p := range cfg.Errors.Projects {
		if f := p.Forward.Value(); f != "" {
			dsns[p.ID] = f
		}
	}
	if len(dsns) == 0 {
		return nil, nil
	}
	return forward.New(dsns, 1024, logger)
}

// wireErrorsUI adds the issue list and issue pages.
func (a *App) wireErrorsUI(svc *errtrack.Service) error {
	return (&errui.Page{Service: svc, UI: a.UI}).Register()
}
