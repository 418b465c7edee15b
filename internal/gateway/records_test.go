package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

func TestSlogSinkWritesJSONLines(t *testing.T) {
	var buf bytes.Buffer
	s := SlogSink{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	s.Access(context.Background(), AccessRecord{Time: time.Now(), RequestID: "r1", ClientIP: "203.0.113.9", Method: "GET", Path: "/api/x", Route: "/api/", Status: 200, DurationMS: 1.5, BytesIn: 3, BytesOut: 4, UpstreamMS: 1.2, WAF: WAFOutcomePass})
	s.WAFEvent(context.Background(), Event{RequestID: "r2", Action: WAFOutcomeBlocked, Mode: "block", AnomalyScore: 5, RuleIDs: []int{942100}, Rules: []RuleMatch{{ID: 942100, Message: "SQL Injection", Matches: []VarMatch{{Variable: "ARGS:q", Data: "' or 1=1"}}}}})
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	var a, e map[string]any
	if err := json.Unmarshal(lines[0], &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(lines[1], &e); err != nil {
		t.Fatal(err)
	}
	if a["msg"] != "access" || a["request_id"] != "r1" || a["status"] != 200.0 || a["duration_ms"] != 1.5 || a["waf"] != "pass" || a["client_ip"] != "203.0.113.9" {
		t.Errorf("access line %s", lines[0])
	}
	if e["msg"] != "waf" || e["action"] != "blocked" || e["anomaly_score"] != 5.0 || e["level"] != "WARN" {
		t.Errorf("waf line %s", lines[1])
	}
	rules := e["rules"].([]any)
	if m := rules[0].(map[string]any)["matches"].([]any)[0].(map[string]any); m["variable"] != "ARGS:q" {
		t.Errorf("matches %v", m)
	}
}
