package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

func shipperSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/shippers/*")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzShippers feeds the Loki, Elasticsearch bulk and OTLP (JSON and
// protobuf) decoders the same bytes: none may panic, and whatever they
// accept must be bounded by maxRecords.
func FuzzShippers(f *testing.F) {
	shipperSeeds(f)
	// A protobuf seed made from the JSON one.
	if b, err := os.ReadFile("testdata/shippers/otlp.json"); err == nil {
		var req logspb.LogsData
		if protojson.Unmarshal(b, &req) == nil {
			if pb, err := proto.Marshal(&req); err == nil {
				f.Add(pb)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		const max = 50
		check := func(name string, n int) {
			if n > max {
				t.Fatalf("%s returned %d records, more than the %d allowed", name, n, max)
			}
		}
		if recs, err := DecodeLoki(bytes.NewReader(b), now, max); err == nil {
			check("loki", len(recs))
		}
		if recs, items, err := DecodeBulk(bytes.NewReader(b), now, max); err == nil {
			check("bulk", len(recs))
			if len(items) < len(recs) {
				t.Fatalf("bulk: %d records but %d items", len(recs), len(items))
			}
		}
		if recs, err := DecodeOTLPJSON(b, now, max); err == nil {
			check("otlp json", len(recs))
		}
		if recs, err := DecodeOTLPProto(b, now, max); err == nil {
			check("otlp proto", len(recs))
		}
	})
}
