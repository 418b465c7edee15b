package app

import (
	"context"

	"github.com/wardenhq/warden/internal/alert/alertsql"
	"github.com/wardenhq/warden/internal/audit/auditsql"
	"github.com/wardenhq/warden/internal/backup/backupsql"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/errtrack/errsql"
	"github.com/wardenhq/warden/internal/schedule"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/uptime/uptimesql"
)

// migrations lists every component's schema, applied at start-up.
func migrations() []store.MigrationSet {
	return []store.MigrationSet{
		schedule.Migrations, alertsql.Migrations, errsql.Migrations, auditsql.Migrations,
		uptimesql.Migrations, backupsql.Migrations,
	}
}

// wireParts builds each domain part and registers its routes, pages and jobs.
func (a *App) wireParts(ctx context.Context) error {
	a.Scheduler = schedule.New(a.DB, schedule.Options{Clock: clock.Real{}, Logger: a.Logger, Owner: Hostname(), Registerer: a.Registry})
	for _, wire := range []func(context.Context) error{
		a.wireUI, // first: the parts below add pages to it
		a.wireAlerts,
		a.wireLogs,
		a.wireGateway, // after alerts and logs: it raises the WAF-spike alert and logs its records
		a.wireErrors,  // after alerts: it raises through the router
		a.wireAudit,   // after alerts: a failed verification raises an alert
		a.wireUptime,  // after alerts: checks raise through the router
		a.wireBackups, // after wireAlerts: it raises through the router
		a.wireRunbooks,
	} {
		if err := wire(ctx); err != nil {
			return err
		}
	}
	return nil
}

// startParts starts the parts' background work once the listener is up.
func (a *App) startParts(ctx context.Context) error {
	for _, start := range a.onStart {
		if err := start(ctx); err != nil {
			return err
		}
	}
	// Last, so that every part has added its jobs; stopped first, so that no
	// job runs against a part that has stopped.
	if err := a.Scheduler.Start(ctx); err != nil {
		return err
	}
	a.OnStop("scheduler", a.Scheduler.Stop)
	return nil
}
