package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/pkg/applog"
)

type serveCommand struct{}

const serveSynopsis = "warden serve [--config warden.yaml]"

// Run starts every part the configuration enables and runs until SIGINT or
// SIGTERM, then drains in-flight requests within server.shutdown_grace.
func (c *serveCommand) Run(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("serve", serveSynopsis, e)
	path := configFlag(fs)
	if err := parseFlags(fs, args, serveSynopsis); err != nil {
		return err
	}
	if err := noArgs(fs, serveSynopsis); err != nil {
		return err
	}
	cfg, err := loadConfig(*path, configGiven(fs), e)
	if err != nil {
		return err
	}
	logger, err := newLogger(cfg, e)
	if err != nil {
		return err
	}
	return runApp(ctx, cfg, logger, nil)
}

// newLogger builds Warden's own logger: JSON lines on stderr.
func newLogger(cfg *config.Config, e env) (*slog.Logger, error) {
	level, err := applog.ParseLevel(cfg.Log.Level)
	if err != nil {
		return nil, fmt.Errorf("log.level: %w", err)
	}
	logger := applog.New(e.stderr, applog.Options{Level: level, Service: "warden", Environment: cfg.Environment, Version: app.Version})
	slog.SetDefault(logger)
	return logger, nil
}

// runApp runs an App until ctx ends, calling ready (if set) once it listens.
func runApp(ctx context.Context, cfg *config.Config, logger *slog.Logger, ready func(*app.App) error) error {
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		a.Shutdown(context.Background())
		return err
	}
	if ready != nil {
		if err := ready(a); err != nil {
			a.Shutdown(context.Background())
			return err
		}
	}
	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "grace", cfg.Server.ShutdownGrace.String())
	case serveErr = <-a.Wait():
		logger.Error("API listener failed", "error", serveErr)
	}
	grace := cfg.Server.ShutdownGrace.Std()
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	start := time.Now()
	if err := a.Shutdown(sctx); err != nil {
		logger.Error("shutdown was not clean", "error", err)
		return errReported
	}
	logger.Info("stopped", "took_ms", time.Since(start).Milliseconds())
	if serveErr != nil {
		return errReported
	}
	return nil
}
