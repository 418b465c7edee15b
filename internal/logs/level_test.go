package logs_test

import (
	"context"
	"testing"

	"github.com/wardenhq/warden/internal/logs"
)

// TestNumericLevels: pino's and bunyan's numeric levels are stored by
// name, whatever the ingest path; other values are kept.
func TestNumericLevels(t *testing.T) {
	svc, clk, _ := setup(t)
	in := map[string]string{"10": "trace", "20": "debug", "30": "info", "40": "warn", "50": "error", "60": "fatal",
		"35": "35", "70": "70", "3": "3", "info": "info", "ERROR": "ERROR", "300": "300"}
	var recs []logs.Record
	for v := range in {
		recs = append(recs, logs.Record{Time: clk.Now(), Fields: []logs.Field{{Name: "level", Value: v}, {Name: "orig", Value: v}}})
	}
	if err := svc.Append(context.Background(), "production", "api", recs); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Query(context.Background(), logs.QueryRequest{Query: "* | fields orig, level", Start: clk.Now().Add(-1), End: clk.Now().Add(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != len(in) {
		t.Fatalf("%d rows", len(res.Rows))
	}
	for _, row := range res.Rows {
		if want := in[row.Get("orig")]; row.Get("level") != want {
			t.Errorf("level %q stored as %q, want %q", row.Get("orig"), row.Get("level"), want)
		}
	}
}
