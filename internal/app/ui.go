package app

import (
	"context"
	"path/filepath"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/ui"
)

// wireUI builds the web UI shell; the parts wired after it add their pages
// and overview panels.
func (a *App) wireUI(ctx context.Context) error {
	key, err := ui.LoadOrCreateKey(filepath.Join(a.Config.DataDir, "ui-session.key"))
	if err != nil {
		return err
	}
	u, err := ui.New(ui.Options{
		Users:       a.Config.UI.Users,
		Tokens:      auth.NewTokens(tokens(a.Config)),
		SessionKey:  key,
		SessionTTL:  a.Config.UI.SessionTTL.Std(),
		Logger:      a.Logger,
		Title:       "Warden",
		Environment: a.Config.Environment,
		Version:     Version,
	})
	if err != nil {
		return err
	}
	a.UI = u
	u.Register(a.API)
	return nil
}
