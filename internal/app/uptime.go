package app

import (
	"context"
	"log/slog"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/uptime"
	"github.com/wardenhq/warden/internal/uptime/statuspage"
	"github.com/wardenhq/warden/internal/uptime/uptimehttp"
	"github.com/wardenhq/warden/internal/uptime/uptimesql"
	"github.com/wardenhq/warden/internal/uptime/uptimeui"
)

// NewMonitor builds the uptime monitor from the configuration. The CLI uses
// it too, to run checks once.
func NewMonitor(cfg *config.Config, db *store.DB, alerts alert.Raiser, clk clock.Clock, logger *slog.Logger) (*uptime.Monitor, error) {
	checks, err := uptime.ChecksFromConfig(cfg.Checks, cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	var st uptime.Store
	if db != nil {
		st = uptimesql.New(db)
	}
	return uptime.New(uptime.Options{
		Checks: checks, Store: st, Alerts: alerts, Clock: clk, Logger: logger,
		Environment: cfg.Environment, PublicURL: cfg.PublicURL,
		Retention: cfg.Uptime.Retention.Std(), RollupRetention: cfg.Uptime.RollupRetention.Std(),
	}), nil
}

// wireUptime schedules the checks (one instance probes each slot), and
// serves their API, the public status page and the UI page.
func (a *App) wireUptime(ctx context.Context) error {
	var raiser alert.Raiser = alert.Discard{}
	if a.Alerts != nil {
		raiser = a.Alerts
	}
	m, err := NewMonitor(a.Config, a.DB, raiser, clock.Real{}, a.Logger)
	if err != nil {
		return err
	}
	m.RegisterMetrics(a.Registry)
	(&uptimehttp.Handlers{Monitor: m}).Register(a.API)
	if a.Config.Uptime.StatusPage.IsEnabled() {
		page := &statuspage.Page{Monitor: m, Title: a.Config.Uptime.StatusPage.Title}
		if err := page.Register(a.API); err != nil {
			return err
		}
	}
	if err := (&uptimeui.Page{Monitor: m, UI: a.UI}).Register(); err != nil {
		return err
	}
	for _, job := range m.Jobs() {
		if err := a.Scheduler.Add(job); err != nil {
			return err
		}
	}
	// Registered before the scheduler starts, so stopped after it: no new
	// dispatch arrives while the probes in flight finish.
	a.OnStop("uptime checks", m.Stop)
	return nil
}
