package loghttp_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/nodetest"
)

// nodeFixture is the npm package with the Node.js shippers (the
// OpenTelemetry logs SDK and its OTLP/HTTP exporters, pino, winston-loki);
// .ci/run installs it with npm ci.
const nodeFixture = "../ingest/testdata/node"

// needNode returns node's path, or skips when node or the fixture's
// node_modules is missing — except in CI, where that fails.
func needNode(t *testing.T, module string) string {
	t.Helper()
	return nodetest.Need(t, nodeFixture, module)
}

func runNode(t *testing.T, node, url string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = nodeFixture
	cmd.Env = append(os.Environ(), "WARDEN_URL="+url, "WARDEN_TOKEN="+ingestTok)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestOpenTelemetryNodeExporters ships records with the real
// @opentelemetry/sdk-logs and both OTLP/HTTP exporters, JSON
// (exporter-logs-otlp-http) and protobuf (exporter-logs-otlp-proto), and
// finds them by attribute, severity and resource.
func TestOpenTelemetryNodeExporters(t *testing.T) {
	node := needNode(t, "@opentelemetry/sdk-logs")
	srv, _ := server(t, 0)
	for _, kind := range []string{"json", "proto"} {
		t.Run(kind, func(t *testing.T) {
			if out := runNode(t, node, srv.URL, "otel.js", kind); !strings.Contains(out, "flushed "+kind) {
				t.Fatalf("the exporter did not flush:\n%s", out)
			}
			q := fmt.Sprintf("service:=node-shop run:=%s | sort by (_time) | fields _msg, level, order_id, http.status_code, amount, retry, duration_ms, deployment.environment, otel.scope.name", kind)
			r := query(t, srv, q)
			if r.Count != 3 {
				t.Fatalf("%d rows: %+v", r.Count, r.Rows)
			}
			want := []map[string]string{
				{"_msg": "order placed", "level": "info", "order_id": "A-17", "http.status_code": "201", "amount": "12.5", "deployment.environment": "test", "otel.scope.name": "checkout"},
				{"_msg": "payment declined", "level": "error", "order_id": "A-18", "http.status_code": "402", "retry": "false"},
				{"_msg": "slow query", "level": "warn", "duration_ms": "812"}, // severity number only: 13 is warn
			}
			for i, w := range want {
				for k, v := range w {
					if r.Rows[i][k] != v {
						t.Errorf("row %d: %s = %q, want %q (row %+v)", i, k, r.Rows[i][k], v, r.Rows[i])
					}
				}
			}
			// Searchable: a word of the body, a severity, an attribute.
			if n := query(t, srv, fmt.Sprintf("run:=%s declined level:=error order_id:=A-18", kind)).Count; n != 1 {
				t.Errorf("search found %d", n)
			}
		})
	}
}

// TestWinstonLokiProtobuf ships with winston-loki, a real Loki client that
// sends snappy-compressed protobuf (protobufjs + the native snappy
// package), and finds the lines with their stream labels.
func TestWinstonLokiProtobuf(t *testing.T) {
	node := needNode(t, "winston-loki")
	srv, _ := server(t, 0)
	if out := runNode(t, node, srv.URL, "loki.js"); !strings.Contains(out, "flushed loki application/x-protobuf") {
		t.Fatalf("winston-loki did not push protobuf:\n%s", out)
	}
	r := query(t, srv, "app:=winston-shop | sort by (_msg) | fields _msg, level, region, team")
	if r.Count != 2 {
		t.Fatalf("%d rows: %+v", r.Count, r.Rows)
	}
	// winston-loki writes the line as "message {meta as JSON}" and the
	// level as a stream label.
	if r.Rows[0]["_msg"] != `loki order placed {"order_id":"L-1","level":"info"}` || r.Rows[0]["level"] != "info" || r.Rows[0]["region"] != "eu-west" ||
		!strings.HasPrefix(r.Rows[1]["_msg"], "loki payment failed") || r.Rows[1]["level"] != "error" || r.Rows[1]["team"] != "payments" {
		t.Fatalf("got %+v", r.Rows)
	}
	if n := query(t, srv, "app:=winston-shop level:=error L-2").Count; n != 1 {
		t.Fatalf("search by word found %d", n)
	}
}
