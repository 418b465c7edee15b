package demoapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// server is the state of the one listener Start may open.
type server struct {
	mu       sync.Mutex
	started  bool
	stop     chan struct{} // closed by Close
	stopOnce sync.Once
	done     chan struct{} // closed once the server has fully stopped
	err      error         // why it stopped; read only after done is closed
}

// Start listens on addr (for example "127.0.0.1:0") and serves the app in
// the background until ctx is done or Close is called, then shuts down
// gracefully: it stops accepting connections and gives in-flight requests
// Options.ShutdownTimeout to finish. It returns the address it listens on,
// which tells callers the port when addr asked for any. Start may be called
// once per App; use Wait or Close to learn when the server has stopped.
func (a *App) Start(ctx context.Context, addr string) (net.Addr, error) {
	s := &a.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return nil, errors.New("demoapp: Start called twice; create another App to serve again")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("demoapp: listen on %s: %w", addr, err)
	}
	s.started = true
	s.stop = make(chan struct{})
	s.done = make(chan struct{})

	// Requests get a context of their own rather than ctx: cancelling ctx
	// asks for a graceful stop, which must let in-flight requests finish.
	// baseCtx is cancelled only when the grace period runs out.
	baseCtx, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	go func() {
		defer close(s.done)
		defer cancelBase()
		select {
		case err := <-served: // the listener failed on its own
			s.err = fmt.Errorf("demoapp: serve on %s: %w", ln.Addr(), err)
		case <-ctx.Done():
			s.err = a.shutdown(srv, cancelBase, served)
		case <-s.stop:
			s.err = a.shutdown(srv, cancelBase, served)
		}
	}()
	a.logger.Info("demo app listening", "addr", ln.Addr().String())
	return ln.Addr(), nil
}

// shutdown stops srv gracefully within the shutdown timeout, then forcibly.
func (a *App) shutdown(srv *http.Server, cancelBase context.CancelFunc, served <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), a.shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		// Handlers that watch their context (the slow route does) give up
		// now, and Close drops the connections of those that do not.
		cancelBase()
		srv.Close()
		err = fmt.Errorf("demoapp: graceful shutdown did not finish within %s: %w", a.shutdownTimeout, err)
	}
	<-served // Serve has returned http.ErrServerClosed
	a.logger.Info("demo app stopped", "graceful", err == nil)
	return err
}

// Wait blocks until the server opened by Start has stopped and returns why:
// nil after a graceful stop, an error if the listener failed or the grace
// period ran out. Without a prior Start it returns nil at once.
func (a *App) Wait() error {
	s := &a.srv
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done == nil {
		return nil
	}
	<-done
	return s.err
}

// Close stops the server opened by Start as cancelling Start's context
// would, and waits for it like Wait. It may be called more than once, and
// without a prior Start.
func (a *App) Close() error {
	s := &a.srv
	s.mu.Lock()
	if s.stop != nil {
		s.stopOnce.Do(func() { close(s.stop) })
	}
	s.mu.Unlock()
	return a.Wait()
}
