package loghttp_test

import (
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
