package ingest

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/wardenhq/warden/internal/logs"
)

// lokiPush is the JSON body of Loki's POST /loki/api/v1/push.
type lokiPush struct {
	Streams []struct {
		Stream map[string]string   `json:"stream"`
		Values [][]json.RawMessage `json:"values"`
	} `json:"streams"`
}

// DecodeLoki reads a Loki push request in its JSON form. Each value is
// [unix-nanoseconds string, line] or [ts, line, {structured metadata}];
// the stream's labels and the metadata become fields, and a line that is
// a JSON object is flattened like an NDJSON line.
func DecodeLoki(r io.Reader, now time.Time, maxRecords int) ([]logs.Record, error) {
	var body lokiPush
	dec := json.NewDecoder(r)
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("body is not a Loki push request in JSON: %v (send Content-Type: application/x-protobuf for the snappy protobuf form)", jsonMsg(err))
	}
	var out []logs.Record
	for si, s := range body.Streams {
		for vi, v := range s.Values {
			where := fmt.Sprintf("streams[%d].values[%d]", si, vi)
			if maxRecords > 0 && len(out) >= maxRecords {
				return nil, fmt.Errorf("%s: more than %d lines in one request; send smaller batches", where, maxRecords)
			}
			if len(v) < 2 || len(v) > 3 {
				return nil, fmt.Errorf("%s: must be [timestamp, line] or [timestamp, line, metadata]", where)
			}
			var ts, line string
			if json.Unmarshal(v[0], &ts) != nil || json.Unmarshal(v[1], &line) != nil {
				return nil, fmt.Errorf("%s: timestamp and line must be strings", where)
			}
			ns, err := strconv.ParseInt(ts, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: timestamp %q is not Unix nanoseconds", where, ts)
			}
			var meta []logs.Field
			if len(v) == 3 {
				var m map[string]string
				if err := json.Unmarshal(v[2], &m); err != nil {
					return nil, fmt.Errorf("%s: structured metadata must be an object of strings", where)
				}
				meta = sortedFields(m)
			}
			out = append(out, lokiRecord(line, time.Unix(0, ns).UTC(), sortedFields(s.Stream), meta))
		}
	}
	return out, nil
}

// sortedFields turns labels into fields in name order.
func sortedFields(m map[string]string) []logs.Field {
	out := make([]logs.Field, 0, len(m))
	for k, v := range m {
		out = append(out, logs.Field{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
