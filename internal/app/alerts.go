package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/alerthttp"
	"github.com/wardenhq/warden/internal/alert/alertsql"
	"github.com/wardenhq/warden/internal/alert/alertui"
	"github.com/wardenhq/warden/internal/alert/channels"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/schedule"
	"github.com/wardenhq/warden/internal/store"
)

// silenceReload is how often each instance re-reads silences, so that ones
// added by the CLI or another instance take effect.
const silenceReload = 10 * time.Second

// NewRouter builds the alert router from the configuration. The CLI uses it
// too, to send test alerts without a running server.
func NewRouter(cfg *config.Config, db *store.DB, clk clock.Clock, metrics *alert.Metrics) (*alert.Router, error) {
	routes, err := alert.RoutesFromConfig(cfg.Alerts)
	if err != nil {
		return nil, err
	}
	var chans []alert.Channel
	sendResolved := map[string]bool{}
	for _, cc := range cfg.Alerts.Channels {
		ch, err := channels.New(cc, channels.Options{})
		if err != nil {
			return nil, fmt.Errorf("alerts.channels %q: %w", cc.Name, err)
		}
		chans = append(chans, ch)
		sendResolved[cc.Name] = channels.SendResolved(cc)
	}
	return alert.New(alert.Options{
		Store: alertsql.New(db), Clock: clk, Routes: routes, Channels: chans, SendResolved: sendResolved,
		Retry: alert.RetryPolicy{
			MaxAttempts: cfg.Alerts.Retry.MaxAttempts,
			Initial:     cfg.Alerts.Retry.InitialBackoff.Std(),
			Max:         cfg.Alerts.Retry.MaxBackoff.Std(),
		},
		ExternalURL: cfg.PublicURL,
		Metrics:     metrics,
		RunbookURL:  runbookLinker(cfg),
	})
}

// wireAlerts builds the router, its API and its silences from config.
func (a *App) wireAlerts(ctx context.Context) error {
	router, err := NewRouter(a.Config, a.DB, clock.Real{}, alert.NewMetrics(a.Registry))
	if err != nil {
		return err
	}
	a.Alerts = router
	h := &alerthttp.Handlers{Router: router, Store: alertsql.New(a.DB), ResolveTimeout: a.Config.Alerts.ResolveTimeout.Std(), Audit: a.recordAdmin}
	h.Register(a.API)
	page := &alertui.Page{Router: router, Store: alertsql.New(a.DB), UI: a.UI, Audit: a.recordAdmin}
	if err := page.Register(); err != nil {
		return err
	}
	a.onStart = append(a.onStart, func(ctx context.Context) error {
		if err := a.syncConfigSilences(ctx, router); err != nil {
			return err
		}
		lead := &routerLeadership{router: router, locker: schedule.NewLocker(a.DB), logger: a.Logger, stop: make(chan struct{}), done: make(chan struct{})}
		if err := lead.try(ctx); err != nil {
			return err
		}
		go lead.loop()
		a.OnStop("alert router", func(ctx context.Context) error {
			close(lead.stop)
			<-lead.done
			if lead.release != nil {
				defer lead.release()
			}
			return router.Stop(ctx)
		})
		return nil
	})
	return nil
}

// routerLeadership makes one instance, the holder of an advisory lock on
// PostgreSQL, the one whose router groups and notifies, so that several
// Warden instances on one database send each notification once. The others
// store the alerts they are given; everyone syncs from the database, the
// leader to pick those alerts up, the others to show current lists. On
// SQLite there is one instance and the lock is always had at once.
type routerLeadership struct {
	router  *alert.Router
	locker  schedule.Locker
	logger  *slog.Logger
	release func()
	stop    chan struct{}
	done    chan struct{}
}

const routerSyncInterval = 2 * time.Second

func (l *routerLeadership) try(ctx context.Context) error {
	release, ok, err := l.locker.TryLock(ctx, "alert-router")
	if err != nil || !ok {
		return err
	}
	if err := l.router.Start(ctx); err != nil {
		release()
		return err
	}
	l.release = release
	l.logger.Info("this instance routes alerts")
	return nil
}

func (l *routerLeadership) loop() {
	defer close(l.done)
	tick := time.NewTicker(routerSyncInterval)
	defer tick.Stop()
	reload := time.NewTicker(silenceReload)
	defer reload.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-reload.C:
			if err := l.router.ReloadSilences(context.Background()); err != nil {
				l.logger.Warn("reload silences", "error", err)
			}
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), routerSyncInterval)
			var err error
			if l.release == nil {
				err = l.try(ctx)
			}
			if err == nil {
				err = l.router.Sync(ctx)
			}
			cancel()
			if err != nil {
				l.logger.Warn("alert router sync", "error", err)
			}
		}
	}
}

// syncConfigSilences creates the maintenance windows written in the config,
// once each: a silence with the same matchers and times is not added twice.
func (a *App) syncConfigSilences(ctx context.Context, router *alert.Router) error {
	existing := map[string]bool{}
	for _, s := range router.Silences() {
		existing[silenceKey(s.Silence)] = true
	}
	for i, sc := range a.Config.Alerts.Silences {
		s := alert.Silence{StartsAt: sc.StartsAt, EndsAt: sc.EndsAt, CreatedBy: sc.CreatedBy, Comment: sc.Comment}
		if s.CreatedBy == "" {
			s.CreatedBy = "config"
		}
		if s.Comment == "" {
			s.Comment = "maintenance window from the configuration"
		}
		for _, ms := range sc.Matchers {
			m, err := alert.ParseMatcher(ms)
			if err != nil {
				return fmt.Errorf("alerts.silences[%d]: %w", i, err)
			}
			s.Matchers = append(s.Matchers, m)
		}
		if existing[silenceKey(s)] || !s.EndsAt.After(time.Now()) {
			continue
		}
		if _, err := router.AddSilence(ctx, s); err != nil {
			return fmt.Errorf("alerts.silences[%d]: %w", i, err)
		}
	}
	return nil
}

func silenceKey(s alert.Silence) string {
	return fmt.Sprint(s.Matchers, s.StartsAt.Unix(), s.EndsAt.Unix())
}
