package ingest

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/wardenhq/warden/internal/logs"
)

// An OTLP/HTTP logs request (ExportLogsServiceRequest) has the same wire
// form as logs.v1.LogsData: field 1, repeated ResourceLogs. Decoding it as
// LogsData keeps the gRPC service code out of the binary.

// DecodeOTLPProto reads an OTLP/HTTP logs request in protobuf.
func DecodeOTLPProto(b []byte, now time.Time, maxRecords int) ([]logs.Record, error) {
	var req logspb.LogsData
	if err := proto.Unmarshal(b, &req); err != nil {
		return nil, fmt.Errorf("body is not an OTLP logs request in protobuf: %v", err)
	}
	return fromOTLP(&req, now, maxRecords)
}

// DecodeOTLPJSON reads an OTLP/HTTP logs request in JSON. OTLP's JSON
// writes trace and span IDs in hex where protobuf JSON expects base64, so
// they are translated first.
func DecodeOTLPJSON(b []byte, now time.Time, maxRecords int) ([]logs.Record, error) {
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return nil, fmt.Errorf("body is not JSON: %v", jsonMsg(err))
	}
	hexIDsToBase64(generic)
	fixed, err := json.Marshal(generic)
	if err != nil {
		return nil, err
	}
	var req logspb.LogsData
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(fixed, &req); err != nil {
		return nil, fmt.Errorf("body is not an OTLP logs request in JSON: %v", err)
	}
	return fromOTLP(&req, now, maxRecords)
}

func hexIDsToBase64(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && (k == "traceId" || k == "spanId" || k == "trace_id" || k == "span_id") {
				if raw, err := hex.DecodeString(s); err == nil {
					x[k] = base64.StdEncoding.EncodeToString(raw)
				}
				continue
			}
			hexIDsToBase64(val)
		}
	case []any:
		for _, e := range x {
			hexIDsToBase64(e)
		}
	}
}

func fromOTLP(req *logspb.LogsData, now time.Time, maxRecords int) ([]logs.Record, error) {
	var out []logs.Record
	for _, rl := range req.GetResourceLogs() {
		var res []logs.Field
		for _, kv := range rl.GetResource().GetAttributes() {
			flattenAny(kv.GetKey(), kv.GetValue(), &res)
		}
		for _, sl := range rl.GetScopeLogs() {
			for _, lr := range sl.GetLogRecords() {
				if maxRecords > 0 && len(out) >= maxRecords {
					return nil, fmt.Errorf("more than %d log records in one request; send smaller batches", maxRecords)
				}
				out = append(out, otlpRecord(lr, res, sl.GetScope(), now))
			}
		}
	}
	return out, nil
}

func otlpRecord(lr *logspb.LogRecord, res []logs.Field, scope *commonpb.InstrumentationScope, now time.Time) logs.Record {
	rec := logs.Record{Time: now, Fields: append([]logs.Field(nil), res...)}
	switch {
	// Past math.MaxInt64 (year 2262) a timestamp would wrap negative: keep now.
	case lr.GetTimeUnixNano() > 0 && lr.GetTimeUnixNano() <= math.MaxInt64:
		rec.Time = time.Unix(0, int64(lr.GetTimeUnixNano())).UTC()
	case lr.GetObservedTimeUnixNano() > 0 && lr.GetObservedTimeUnixNano() <= math.MaxInt64:
		rec.Time = time.Unix(0, int64(lr.GetObservedTimeUnixNano())).UTC()
	}
	if sv := rec.Get("service.name"); sv != "" {
		rec.Set(logs.FieldService, sv)
	}
	if scope.GetName() != "" {
		rec.Set("otel.scope.name", scope.GetName())
	}
	for _, kv := range lr.GetAttributes() {
		var fs []logs.Field
		flattenAny(kv.GetKey(), kv.GetValue(), &fs)
		for _, f := range fs {
			rec.Set(f.Name, f.Value)
		}
	}
	body := lr.GetBody()
	if kv := body.GetKvlistValue(); kv != nil {
		for _, e := range kv.GetValues() {
			var fs []logs.Field
			flattenAny(e.GetKey(), e.GetValue(), &fs)
			for _, f := range fs {
				rec.Set(f.Name, f.Value)
			}
		}
		if m := rec.Get("msg"); m != "" && rec.Get(logs.FieldMsg) == "" {
			rec.Set(logs.FieldMsg, m)
		}
	} else if body != nil {
		rec.Set(logs.FieldMsg, anyString(body))
	}
	if lvl := severity(lr); lvl != "" {
		rec.Set(logs.FieldLevel, lvl)
	}
	if id := lr.GetTraceId(); len(id) > 0 {
		rec.Set("trace_id", hex.EncodeToString(id))
	}
	if id := lr.GetSpanId(); len(id) > 0 {
		rec.Set("span_id", hex.EncodeToString(id))
	}
	if n := lr.GetEventName(); n != "" {
		rec.Set("event.name", n)
	}
	return rec
}

// severity maps OTLP severity to Warden's levels: the text when given,
// else the number's range (1-4 trace, 5-8 debug, 9-12 info, 13-16 warn,
// 17-20 error, 21-24 fatal).
func severity(lr *logspb.LogRecord) string {
	if t := lr.GetSeverityText(); t != "" {
		return strings.ToLower(t)
	}
	n := int(lr.GetSeverityNumber())
	if n <= 0 {
		return ""
	}
	return []string{"trace", "debug", "info", "warn", "error", "fatal"}[min((n-1)/4, 5)]
}

func flattenAny(name string, v *commonpb.AnyValue, out *[]logs.Field) {
	if kv := v.GetKvlistValue(); kv != nil && strings.Count(name, ".") < maxDepth {
		for _, e := range kv.GetValues() {
			flattenAny(name+"."+e.GetKey(), e.GetValue(), out)
		}
		return
	}
	if v == nil || v.GetValue() == nil {
		return
	}
	*out = append(*out, logs.Field{Name: name, Value: anyString(v)})
}

func anyString(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_DoubleValue:
		return strconv.FormatFloat(x.DoubleValue, 'g', -1, 64)
	case *commonpb.AnyValue_BytesValue:
		return base64.StdEncoding.EncodeToString(x.BytesValue)
	}
	b, err := protojson.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
