package app

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/wardenhq/warden/internal/alert/alertsql"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/runbook"
	"github.com/wardenhq/warden/internal/runbook/runbookui"
)

// runbooksDir is runbooks.dir, or its default when the config came from
// config.Default rather than a file.
func runbooksDir(cfg *config.Config) string {
	if cfg.Runbooks.Dir == "" {
		return config.DefaultRunbooksDir
	}
	return cfg.Runbooks.Dir
}

// runbookLinker makes an alert's runbook annotation a link: a bare runbook
// id (`runbook: disk-filling` on an alarm or check) becomes its page in the
// UI under public_url, so that Slack, email and the Alerts page all link
// to the rendered runbook.
func runbookLinker(cfg *config.Config) func(string) string {
	return func(ref string) string { return runbook.Link(cfg.PublicURL, ref) }
}

// wireRunbooks serves the runbooks in the UI and logs, once at start-up,
// what `warden runbooks check` would report, so that a broken runbook or a
// reference to a missing one is seen without failing the start.
func (a *App) wireRunbooks(ctx context.Context) error {
	dir := runbooksDir(a.Config)
	page := &runbookui.Page{Dir: dir, Alerts: alertsql.New(a.DB), UI: a.UI, Logger: a.Logger}
	if err := page.Register(); err != nil {
		return err
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		a.Logger.Info("no runbooks directory; the Runbooks page will say so", "dir", dir)
		return nil
	}
	set, probs, err := runbook.Load(dir)
	if err != nil {
		a.Logger.Warn("runbooks", "error", err)
		return nil
	}
	for _, p := range probs {
		a.Logger.Warn("runbook problem", "problem", p.String())
	}
	a.Logger.Info("runbooks loaded", "dir", dir, "count", len(set.Runbooks), "problems", len(probs))
	return nil
}
