package logs_test

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/logql"
	"github.com/wardenhq/warden/internal/logs/logstore"
)

// Field names move between positions from record to record: the
// scrubber's verdict on a name must follow the name, not the position.
func TestAppendScrubsWhateverTheFieldOrder(t *testing.T) {
	st, err := logstore.Open(logstore.Options{Dir: t.TempDir(), FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := logs.NewService(logs.Options{Store: st})
	card := "4111 1111 1111 1111"
	recs := []logs.Record{
		{Fields: []logs.Field{{Name: "a", Value: "one"}, {Name: "password", Value: "hunter2"}, {Name: "note", Value: card}}},
		{Fields: []logs.Field{{Name: "password", Value: "hunter3"}, {Name: "a", Value: "two"}, {Name: "note", Value: "fine"}}},
		{Fields: []logs.Field{{Name: "note", Value: card}, {Name: "a", Value: "three"}, {Name: "api_key", Value: "k-123"}}},
	}
	if err := svc.Append(context.Background(), "production", "svc", recs); err != nil {
		t.Fatal(err)
	}
	var rows []logql.Row
	if err := st.Scan(context.Background(), logs.ScanRequest{}, func(r logql.Row) bool { rows = append(rows, r); return true }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		for _, f := range r {
			switch f.Name {
			case "password", "api_key":
				if f.Value != "[REDACTED]" {
					t.Errorf("%s = %q, want it redacted", f.Name, f.Value)
				}
			case "note":
				if f.Value != "fine" && f.Value != "[REDACTED:card]" {
					t.Errorf("note = %q, want the card redacted", f.Value)
				}
			case "a":
				if f.Value == "[REDACTED]" {
					t.Errorf("a plain field was redacted")
				}
			}
		}
	}
}
