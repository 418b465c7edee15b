package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/gateway"
	"github.com/wardenhq/warden/internal/gateway/gwlog"
)

// gatewayPart is the running WAF gateway: its own listener in front of the
// upstream app.
type gatewayPart struct {
	gw       *gateway.Gateway
	server   *http.Server
	listener net.Listener
	done     chan error
}

// GatewayRecords, when it returns a sink, receives the gateway's access
// records and WAF events instead of the log store; tests set it.
var GatewayRecords = func() gateway.Sink { return nil }

// gatewaySink is where the gateway's records go: the log store, appended in
// batches off the request path and searchable like the app's own logs
// (service "gateway"); JSON lines on stdout when there is no log store.
func (a *App) gatewaySink() gateway.Sink {
	if sink := GatewayRecords(); sink != nil {
		return sink
	}
	if a.Logs == nil {
		return gateway.SlogSink{Logger: slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("source", "gateway")}
	}
	sink := gwlog.New(a.Logs, gwlog.Options{Logger: a.Logger.With("part", "gateway")})
	// Registered before the gateway's own stop (which is added at start), so
	// it runs after the gateway has drained and before the log store closes.
	a.OnStop("gateway records", sink.Close)
	return sink
}

// wireGateway builds the gateway when gateway.upstream is set; it listens
// once the app starts and drains first at shutdown.
func (a *App) wireGateway(ctx context.Context) error {
	cfg := a.Config.Gateway
	if cfg.Upstream == "" {
		return nil
	}
	var raiser alert.Raiser = alert.Discard{}
	if a.Alerts != nil {
		raiser = a.Alerts
	}
	gw, err := gateway.New(gateway.Options{
		Config: cfg, Sink: a.gatewaySink(), Metrics: gateway.NewMetrics(a.Registry),
		Logger: a.Logger.With("part", "gateway"), Alerts: raiser, Environment: a.Config.Environment,
	})
	if err != nil {
		return err
	}
	p := &gatewayPart{gw: gw}
	a.gateway = p
	a.onStart = append(a.onStart, func(ctx context.Context) error {
		if err := p.start(ctx, a); err != nil {
			return err
		}
		a.OnStop("gateway", p.stop)
		return nil
	})
	return nil
}

func (p *gatewayPart) start(ctx context.Context, a *App) error {
	cfg := a.Config.Gateway
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("gateway.listen %s: %w (change gateway.listen in the config)", cfg.Listen, err)
	}
	if cfg.TLS.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile)
		if err != nil {
			ln.Close()
			return fmt.Errorf("gateway.tls: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	}
	p.listener = ln
	p.server = &http.Server{
		Handler:           p.gw,
		ReadHeaderTimeout: a.Config.Server.ReadHeaderTimeout.Std(),
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	p.done = make(chan error, 1)
	go func() { p.done <- p.server.Serve(ln) }()
	a.Logger.Info("gateway started", "listen", ln.Addr().String(), "upstream", cfg.Upstream,
		"waf", cfg.WAF.Mode, "paranoia_level", cfg.WAF.ParanoiaLevel, "tls", cfg.TLS.CertFile != "")
	return nil
}

// stop lets in-flight requests finish (until ctx ends), then stops the
// gateway's background work.
func (p *gatewayPart) stop(ctx context.Context) error {
	err := p.server.Shutdown(ctx)
	if err != nil {
		p.server.Close()
	}
	if serr := <-p.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	p.gw.Close()
	if err != nil {
		return fmt.Errorf("drain gateway listener: %w", err)
	}
	return nil
}

// GatewayAddr is the address the gateway listens on, or "" when it is off
// or not started.
func (a *App) GatewayAddr() string {
	if a.gateway == nil || a.gateway.listener == nil {
		return ""
	}
	return a.gateway.listener.Addr().String()
}
