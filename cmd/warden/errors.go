package main

import (
	"context"
	"fmt"

	"github.com/wardenhq/warden/internal/app"
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
