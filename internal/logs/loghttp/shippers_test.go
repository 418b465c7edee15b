package loghttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"

	"github.com/wardenhq/warden/internal/logs/ingest/lokitest"
)

// TestOTLPWithTheOpenTelemetrySDK ships records with the OpenTelemetry Go
// SDK's OTLP/HTTP log exporter (protobuf, gzip) and finds them.
func TestOTLPWithTheOpenTelemetrySDK(t *testing.T) {
	srv, _ := server(t, 0)
	ctx := context.Background()
	exp, err := otlploghttp.New(ctx,
		otlploghttp.WithEndpointURL(srv.URL+"/v1/logs"),
		otlploghttp.WithHeaders(map[string]string{"Authorization": "Bearer " + ingestTok}),
		otlploghttp.WithCompression(otlploghttp.GzipCompression))
	if err != nil {
		t.Fatal(err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("checkout"))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)), sdklog.WithResource(res))
	logger := lp.Logger("warden-test")
	for i := 0; i < 3; i++ {
		var r otellog.Record
		r.SetTimestamp(time.Now())
		r.SetSeverity(otellog.SeverityError)
		r.SetBody(attribute.StringValue(fmt.Sprintf("charge %d failed", i)))
		r.AddAttributes(attribute.String("order_id", fmt.Sprintf("o-%d", i)), attribute.Int("http.status_code", 502))
		logger.Emit(ctx, r)
	}
	if err := lp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	r := query(t, srv, "service:=checkout level:=error | sort by (order_id) | fields _msg, order_id, http.status_code")
	if r.Count != 3 || r.Rows[0]["_msg"] != "charge 0 failed" || r.Rows[2]["order_id"] != "o-2" || r.Rows[1]["http.status_code"] != "502" {
		t.Fatalf("got %+v", r.Rows)
	}
}

func TestOTLPJSON(t *testing.T) {
	srv, _ := server(t, 0)
	now := time.Now().UnixNano()
	body := fmt.Sprintf(`{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},
	 "scopeLogs":[{"scope":{"name":"pino"},"logRecords":[{"timeUnixNano":"%d","severityNumber":13,"body":{"stringValue":"slow render"},
	 "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","attributes":[{"key":"ms","value":{"intValue":"812"}}]}]}]}]}`, now)
	code, _, resp := do(t, "POST", srv.URL+"/v1/logs", ingestTok, strings.NewReader(body), "Content-Type", "application/json")
	if code != 200 {
		t.Fatalf("%d %s", code, resp)
	}
	r := query(t, srv, "service:=web")
	if r.Count != 1 || r.Rows[0]["level"] != "warn" || r.Rows[0]["trace_id"] != "5b8efff798038103d269b633813fc60c" ||
		r.Rows[0]["span_id"] != "eee19b7ec3c1b174" || r.Rows[0]["ms"] != "812" || r.Rows[0]["_msg"] != "slow render" {
		t.Fatalf("got %+v", r.Rows)
	}
	code, _, _ = do(t, "POST", srv.URL+"/v1/logs", ingestTok, strings.NewReader(`{"resourceLogs": 5}`), "Content-Type", "application/json")
	if code != 400 {
		t.Fatalf("bad OTLP JSON: %d", code)
	}
}

func TestLokiPush(t *testing.T) {
	srv, _ := server(t, 0)
	ns := time.Now().UnixNano()
	body := fmt.Sprintf(`{"streams":[{"stream":{"app":"api","host":"web-1"},"values":[["%d","plain line"],["%d","{\"level\":\"error\",\"msg\":\"json line\"}",{"trace_id":"abc"}]]}]}`, ns, ns+1)
	code, _, resp := do(t, "POST", srv.URL+"/loki/api/v1/push", ingestTok, strings.NewReader(body), "Content-Type", "application/json")
	if code != 204 {
		t.Fatalf("%d %s", code, resp)
	}
	r := query(t, srv, "app:=api | sort by (_time) | fields _msg, host, level, trace_id")
	if r.Count != 2 || r.Rows[0]["_msg"] != "plain line" || r.Rows[1]["level"] != "error" || r.Rows[1]["trace_id"] != "abc" || r.Rows[1]["host"] != "web-1" {
		t.Fatalf("got %+v", r.Rows)
	}
	code, _, _ = do(t, "POST", srv.URL+"/loki/api/v1/push", ingestTok, strings.NewReader(`{"streams":[{"values":[["yesterday","x"]]}]}`))
	if code != 400 {
		t.Fatalf("bad timestamp: %d", code)
	}
}

// TestLokiPushProtobuf posts what Promtail, Alloy and Vector send: a
// snappy-compressed logproto.PushRequest, its bytes made by the protobuf
// library from Loki's push.proto field numbers (lokitest; no Loki client
// installs here, see TestNodeShippers for winston-loki, a real one).
func TestLokiPushProtobuf(t *testing.T) {
	srv, _ := server(t, 0)
	t0 := time.Now().Add(-time.Minute).Truncate(time.Microsecond)
	body := lokitest.Body([]lokitest.Stream{
		{Labels: `{app="checkout", host="web-1", note="say \"hi\""}`, Entries: []lokitest.Entry{
			{Time: t0, Line: "plain proto line"},
			{Time: t0.Add(time.Millisecond), Line: `{"level":"error","msg":"card declined"}`, Metadata: [][2]string{{"trace_id", "t-9"}}},
		}},
	})
	code, _, resp := do(t, "POST", srv.URL+"/loki/api/v1/push", ingestTok, bytes.NewReader(body), "Content-Type", "application/x-protobuf")
	if code != 204 {
		t.Fatalf("%d %s", code, resp)
	}
	r := query(t, srv, "app:=checkout | sort by (_time) | fields _time, _msg, host, note, level, trace_id")
	if r.Count != 2 || r.Rows[0]["_msg"] != "plain proto line" || r.Rows[0]["note"] != `say "hi"` || r.Rows[0]["host"] != "web-1" ||
		r.Rows[1]["level"] != "error" || r.Rows[1]["_msg"] != "card declined" || r.Rows[1]["trace_id"] != "t-9" {
		t.Fatalf("got %+v", r.Rows)
	}
	if got, _ := time.Parse(time.RFC3339Nano, r.Rows[0]["_time"]); !got.Equal(t0) {
		t.Fatalf("time %s, want %s", r.Rows[0]["_time"], t0.UTC().Format(time.RFC3339Nano))
	}
	// Without a Content-Type, Loki reads protobuf too.
	code, _, resp = do(t, "POST", srv.URL+"/loki/api/v1/push", ingestTok, bytes.NewReader(lokitest.Body([]lokitest.Stream{{Labels: `{app="bare"}`, Entries: []lokitest.Entry{{Time: t0, Line: "x"}}}})))
	if code != 204 || query(t, srv, "app:=bare").Count != 1 {
		t.Fatalf("no Content-Type: %d %s", code, resp)
	}
	// Bad labels: a 400 naming the stream, the column and the problem; nothing stored.
	bad := lokitest.Body([]lokitest.Stream{
		{Labels: `{app="ok"}`, Entries: []lokitest.Entry{{Time: t0, Line: "kept out"}}},
		{Labels: `{app=checkout}`, Entries: []lokitest.Entry{{Time: t0, Line: "y"}}},
	})
	code, _, resp = do(t, "POST", srv.URL+"/loki/api/v1/push", ingestTok, bytes.NewReader(bad), "Content-Type", "application/x-protobuf")
	if code != 400 || !strings.Contains(string(resp), `streams[1].labels`) || !strings.Contains(string(resp), "column 6: expected a quoted value") {
		t.Fatalf("bad labels: %d %s", code, resp)
	}
	if n := query(t, srv, "kept out").Count; n != 0 {
		t.Fatalf("a rejected request stored %d lines", n)
	}
	code, _, resp = do(t, "POST", srv.URL+"/loki/api/v1/push", ingestTok, strings.NewReader("not snappy"), "Content-Type", "application/x-protobuf")
	if code != 400 || !strings.Contains(string(resp), "snappy") {
		t.Fatalf("not snappy: %d %s", code, resp)
	}
	code, _, resp = do(t, "POST", srv.URL+"/loki/api/v1/push", ingestTok, strings.NewReader("x"), "Content-Type", "text/plain")
	if code != 415 || !strings.Contains(string(resp), "application/x-protobuf") {
		t.Fatalf("text/plain: %d %s", code, resp)
	}
}

func TestElasticsearchBulk(t *testing.T) {
	srv, _ := server(t, 0)
	body := `{"index":{"_index":"app-logs"}}
{"@timestamp":"` + time.Now().UTC().Format(time.RFC3339Nano) + `","message":"bulk one","level":"info"}
{"create":{}}
{"message":"bulk two"}
{"delete":{"_id":"1"}}
{"update":{"_id":"1"}}
{"doc":{"x":1}}
`
	code, _, resp := do(t, "POST", srv.URL+"/api/v1/logs/_bulk", ingestTok, strings.NewReader(body), "Content-Type", "application/x-ndjson")
	if code != 200 {
		t.Fatalf("%d %s", code, resp)
	}
	var out struct {
		Errors bool
		Items  []map[string]struct{ Status int }
	}
	if err := json.Unmarshal(resp, &out); err != nil {
		t.Fatal(err)
	}
	if !out.Errors || len(out.Items) != 4 || out.Items[0]["index"].Status != 201 || out.Items[1]["create"].Status != 201 ||
		out.Items[2]["delete"].Status != 400 || out.Items[3]["update"].Status != 400 {
		t.Fatalf("items: %s", resp)
	}
	if r := query(t, srv, "bulk | fields _msg, index"); r.Count != 2 {
		t.Fatalf("got %+v", r.Rows)
	}
}
