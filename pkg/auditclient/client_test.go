package auditclient_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/pkg/auditclient"
)

const ingestToken = "ingest-token-0123456789abcdef"

// warden is a real Warden (the whole app: API, audit trail, SQLite) that a
// test can stop and start again on the same address and data.
type warden struct {
	t   *testing.T
	cfg *config.Config
	app *app.App
}

func newWarden(t *testing.T) *warden {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Listen = addr
	cfg.Tokens = []config.Token{{Name: "app", Token: config.Secret(ingestToken), Scopes: []string{"ingest"}}}
	w := &warden{t: t, cfg: cfg}
	t.Cleanup(w.stop)
	return w
}

func (w *warden) url() string { return "http://" + w.cfg.Listen }

func (w *warden) start() {
	w.t.Helper()
	a, err := app.New(context.Background(), w.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		w.t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		w.t.Fatal(err)
	}
	w.app = a
}

func (w *warden) stop() {
	if w.app == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.app.Shutdown(ctx); err != nil {
		w.t.Errorf("shutdown: %v", err)
	}
	w.app = nil
}

// waitCount waits, bounded, until the trail holds n events.
func (w *warden) waitCount(n int64) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var got int64
	for time.Now().Before(deadline) {
		var err error
		got, err = w.app.Audit.Count(context.Background(), audit.Query{})
		if err != nil {
			w.t.Fatal(err)
		}
		if got == n {
			return
		}
		if got > n {
			w.t.Fatalf("trail holds %d events, more than the %d logged: duplicates", got, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.t.Fatalf("trail holds %d events after 30s, want %d", got, n)
}

func login(i int) auditclient.Event {
	return auditclient.Event{Actor: auditclient.Actor{Type: "user", ID: fmt.Sprintf("u-%d", i%7)}, Action: "auth.login.success",
		Outcome: auditclient.Success, ClientIP: "192.0.2.10", Details: map[string]any{"n": i}}
}

// logN logs n events and fails if any Log call waited: Warden's state must
// never hold up the app.
func logN(t *testing.T, c *auditclient.Client, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		began := time.Now()
		if err := c.Log(context.Background(), login(i)); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(began); d > time.Second {
			t.Fatalf("Log took %v", d)
		}
	}
}

// The client keeps working, without blocking, while Warden is down (never
// started, then stopped mid-stream), and delivers its spool when Warden is
// back; nothing is lost and nothing is stored twice.
func TestClientSurvivesWardenDown(t *testing.T) {
	w := newWarden(t)
	spoolDir := t.TempDir()
	c, err := auditclient.New(auditclient.Options{URL: w.url(), Token: ingestToken, SpoolDir: spoolDir, QueueSize: 100, BatchSize: 50,
		FlushInterval: 20 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())

	logN(t, c, 0, 300) // Warden is not running yet; more than the queue holds
	w.start()
	w.waitCount(300)

	logN(t, c, 300, 100) // up
	w.waitCount(400)
	w.stop()
	logN(t, c, 400, 250) // down again
	w.start()
	w.waitCount(650)

	rep, err := w.app.Audit.Verify(context.Background())
	if err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	sent, spooled, rejected := c.Stats()
	if sent != 650 || rejected != 0 || spooled == 0 || c.Pending() != 0 {
		t.Fatalf("stats: sent %d, spooled %d, rejected %d, pending %d", sent, spooled, rejected, c.Pending())
	}
}

// Events queued when the app shuts down while Warden is down are spooled by
// Close and sent by the next client on the same spool directory.
func TestCloseSpoolsAndTheNextClientSends(t *testing.T) {
	w := newWarden(t)
	spoolDir := t.TempDir()
	opts := auditclient.Options{URL: w.url(), Token: ingestToken, SpoolDir: spoolDir, FlushInterval: time.Hour,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c, err := auditclient.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	logN(t, c, 0, 40) // held by the hour-long flush interval
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Log(context.Background(), login(1)); err != auditclient.ErrClosed {
		t.Fatalf("log after close: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(spoolDir, "*.json"))
	if len(files) == 0 {
		t.Fatal("nothing spooled at close")
	}
	w.start()
	opts.FlushInterval = 10 * time.Millisecond
	c2, err := auditclient.New(opts) // sends the spool as it starts
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close(context.Background())
	w.waitCount(40)
	c2.Log(context.Background(), login(99))
	w.waitCount(41)
}

// A batch Warden refuses (an unknown action) is kept aside, not retried
// forever, and does not hold up the events after it.
func TestRefusedBatchIsSetAside(t *testing.T) {
	w := newWarden(t)
	spoolDir := t.TempDir()
	c, err := auditclient.New(auditclient.Options{URL: w.url(), Token: ingestToken, SpoolDir: spoolDir, FlushInterval: 10 * time.Millisecond,
		MinBackoff: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	bad := login(1)
	bad.Action = "auth.login.maybe"
	c.Log(context.Background(), bad) // spooled: Warden is down
	time.Sleep(50 * time.Millisecond)
	w.start()
	logN(t, c, 0, 5)
	w.waitCount(5)
	deadline := time.Now().Add(10 * time.Second)
	for {
		rejected, _ := filepath.Glob(filepath.Join(spoolDir, "rejected", "*.json"))
		if len(rejected) == 1 {
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(spoolDir)
			t.Fatalf("refused batch not set aside: %v", entries)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
