// Package auditnode holds the Node example's test: a real Warden and a real
// node process.
package auditnode

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/config"
)

const token = "ingest-token-0123456789abcdef"

type stats struct {
	Sent, Spooled, Rejected, Queued, PendingBatches int
}

func runExample(t *testing.T, url, spool string, count int) stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "example.js")
	cmd.Env = append(os.Environ(), "WARDEN_URL="+url, "WARDEN_INGEST_TOKEN="+token, "SPOOL_DIR="+spool, "COUNT="+itoa(count))
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node example.js: %v\n%s%s", err, out, stderr)
	}
	var s stats
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("example output %q: %v", out, err)
	}
	return s
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestNodeExample(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed in CI")
		}
		t.Skip("node is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url, spool := "http://"+addr, t.TempDir()

	// Warden is down: every event is spooled and the process still exits.
	s := runExample(t, url, spool, 20)
	if s.Sent != 0 || s.Spooled != 20 || s.PendingBatches == 0 {
		t.Fatalf("while down: %+v", s)
	}

	cfg := config.Default()
	cfg.DataDir, cfg.Listen = t.TempDir(), addr
	cfg.Tokens = []config.Token{{Name: "app", Token: config.Secret(token), Scopes: []string{"ingest"}}}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())

	// Warden is up: the spool goes first, then the new events.
	s = runExample(t, url, spool, 30)
	if s.Sent != 50 || s.PendingBatches != 0 || s.Rejected != 0 {
		t.Fatalf("after Warden came back: %+v", s)
	}
	n, err := a.Audit.Count(context.Background(), audit.Query{})
	if err != nil || n != 50 {
		t.Fatalf("trail holds %d events (%v), want 50", n, err)
	}
	rep, err := a.Audit.Verify(context.Background())
	if err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}
