package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/nodetest"
)

// pinoFixture holds pino.js and its node_modules (.ci/run: npm ci).
const pinoFixture = "../../internal/logs/ingest/testdata/node"

// TestPinoThroughRunAndIngest logs with the real pino under `warden run --
// node pino.js` and pipes the same output into `warden logs ingest`, into
// a real warden serve: pino's numeric levels become names (30 info, 50
// error), msg is the message, time (Unix ms) the record's time, and the
// lines are searchable with their fields.
func TestPinoThroughRunAndIngest(t *testing.T) {
	node := nodetest.Need(t, pinoFixture, "pino")
	dir, _ := filepath.Abs(pinoFixture)
	script := filepath.Join(dir, "pino.js")
	_, addr, _ := startServe(t, logsTokensYAML)
	u := "http://" + addr

	// 1. warden run -- node pino.js: the output passes through and is shipped.
	code, out, stderr := cli(t, addr, logsIngestTok, "", "run", "--url", u, "--service", "pino-run", "--", node, script)
	if code != 0 || !strings.Contains(out, `"msg":"pino payment failed"`) {
		t.Fatalf("run: %d %q %q", code, out, stderr)
	}
	// The times pino wrote, in ms, by message.
	sent := map[string]time.Time{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l struct {
			Level int    `json:"level"`
			Time  int64  `json:"time"`
			Msg   string `json:"msg"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil || l.Time == 0 {
			t.Fatalf("pino line %q: %v", line, err)
		}
		sent[l.Msg] = time.UnixMilli(l.Time).UTC()
	}

	// 2. The same output into warden logs ingest.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	raw, err := exec.CommandContext(ctx, node, script).Output()
	if err != nil {
		t.Fatalf("node pino.js: %v", err)
	}
	code, _, stderr = cli(t, addr, logsIngestTok, string(raw), "logs", "ingest", "--service", "pino-ingest", "--url", u)
	if code != 0 || !strings.Contains(stderr, "shipped 3 lines") {
		t.Fatalf("ingest: %d %s", code, stderr)
	}

	for _, svc := range []string{"pino-run", "pino-ingest"} {
		q := fmt.Sprintf("service:=%s | sort by (_msg) | fields _time, _msg, level, order_id, module, err.type, err.message, hostname", svc)
		code, out, stderr = cli(t, addr, logsReadTok, "", "logs", "query", q, "--since", "1h", "--url", u, "--json")
		if code != 0 {
			t.Fatalf("query: %d %s", code, stderr)
		}
		var rows []map[string]string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var row map[string]string
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatalf("%s: %q: %v", svc, line, err)
			}
			rows = append(rows, row)
		}
		if len(rows) != 3 {
			t.Fatalf("%s: %d rows: %q", svc, len(rows), out)
		}
		want := []map[string]string{
			{"_msg": "pino order placed", "level": "info", "order_id": "P-1", "hostname": "web-1"},
			{"_msg": "pino payment failed", "level": "error", "order_id": "P-2", "module": "payments", "err.type": "CardError", "err.message": "card declined"},
			{"_msg": "pino slow render", "level": "warn"},
		}
		for i, w := range want {
			for k, v := range w {
				if rows[i][k] != v {
					t.Errorf("%s row %d: %s = %q, want %q (%v)", svc, i, k, rows[i][k], v, rows[i])
				}
			}
		}
		if svc == "pino-run" {
			for _, row := range rows {
				got, err := time.Parse(time.RFC3339Nano, row["_time"])
				if err != nil || !got.Equal(sent[row["_msg"]]) {
					t.Errorf("%q: _time %s, pino wrote %s", row["_msg"], row["_time"], sent[row["_msg"]].Format(time.RFC3339Nano))
				}
			}
		}
		code, out, _ = cli(t, addr, logsReadTok, "", "logs", "query", fmt.Sprintf(`service:=%s level:=error payment err.message:="card declined"`, svc), "--since", "1h", "--url", u, "--json")
		if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "pino payment failed") {
			t.Errorf("%s: search for the error: %q", svc, out)
		}
	}
}
