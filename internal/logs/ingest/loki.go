package ingest

import (
	"encoding/json"
	"fmt"
	"io"
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
		return nil, fmt.Errorf("body is not a Loki push request in JSON: %v (the protobuf form is not supported; set the client to JSON)", jsonMsg(err))
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
			rec, err := DecodeLine([]byte(line), time.Unix(0, ns).UTC())
			if err != nil || len(line) == 0 {
				rec = logs.Record{Fields: []logs.Field{{Name: logs.FieldMsg, Value: line}}}
			}
			rec.Time = time.Unix(0, ns).UTC()
			for k, val := range s.Stream {
				rec.Set(k, val)
			}
			if len(v) == 3 {
				var meta map[string]string
				if err := json.Unmarshal(v[2], &meta); err != nil {
					return nil, fmt.Errorf("%s: structured metadata must be an object of strings", where)
				}
				for k, val := range meta {
					rec.Set(k, val)
				}
			}
			out = append(out, rec)
		}
	}
	return out, nil
}
