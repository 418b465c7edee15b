package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/getsentry/sentry-go"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/demoapp"
	"github.com/wardenhq/warden/internal/errtrack"
)

func runErrors(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return usagef("errors needs a subcommand: dsn")
	}
	switch args[0] {
	case "dsn":
		return (&errorsDSNCommand{}).Run(ctx, args[1:], e)
	}
	return usagef("unknown errors subcommand %q (use dsn)", args[0])
}

type errorsDSNCommand struct{}

const errorsDSNSynopsis = "warden errors dsn [--config warden.yaml]"

// Run prints each error tracking project's DSN, the value to give the
// Sentry SDKs (SENTRY_DSN). The host is public_url, else listen.
func (c *errorsDSNCommand) Run(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("errors dsn", errorsDSNSynopsis, e)
	path := configFlag(fs)
	if err := parseFlags(fs, args, errorsDSNSynopsis); err != nil {
		return err
	}
	if err := noArgs(fs, errorsDSNSynopsis); err != nil {
		return err
	}
	cfg, err := loadConfig(*path, configGiven(fs), e)
	if err != nil {
		return err
	}
	projects := app.ErrorProjects(cfg)
	if len(projects) == 0 {
		return fmt.Errorf("%s has no errors.projects; add one: errors: { projects: [ { id: 1, name: app, key: <openssl rand -hex 16> } ] }", *path)
	}
	for _, p := range projects {
		fmt.Fprintf(e.stdout, "%s\t%s\n", p.Name, errtrack.DSN(app.ErrorsBaseURL(cfg, cfg.Listen), p))
	}
	return nil
}

// demoErrorReporter sends the demo app's server errors and panics to
// Warden with the real sentry-go SDK, as the team's services do. It does
// nothing until start binds it to the DSN, once Warden listens.
type demoErrorReporter struct {
	hub atomic.Pointer[sentry.Hub]
}

func (d *demoErrorReporter) start(dsn string) error {
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: dsn, Environment: "demo", Release: "demo-app@" + app.Version})
	if err != nil {
		return fmt.Errorf("demo error reporting: %w", err)
	}
	d.hub.Store(sentry.NewHub(client, sentry.NewScope()))
	return nil
}

// OnError is the demo app's error hook; for a panic it runs on the
// panicking goroutine, so the event carries the panic's stack.
func (d *demoErrorReporter) OnError(r *http.Request, err error) {
	base := d.hub.Load()
	if base == nil {
		return
	}
	hub := base.Clone()
	hub.Scope().SetRequest(r)
	hub.Scope().SetTag("endpoint", r.Method+" "+r.URL.Path)
	var pe *demoapp.PanicError
	if errors.As(err, &pe) {
		hub.RecoverWithContext(r.Context(), pe.Value)
		return
	}
	hub.CaptureException(err)
}
