package ingest

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseUTC: the fast time path gives time.Parse's answer whenever it
// answers at all.
func FuzzParseUTC(f *testing.F) {
	for _, s := range []string{"2026-11-30T10:00:00Z", "2026-11-30T10:00:00.123Z", "2026-02-29T00:00:00Z", "2024-02-29T23:59:59.999999999Z",
		"2026-11-30T24:00:00Z", "2026-13-01T00:00:00Z", "2026-11-30T10:00:00.Z", "2026-11-30T10:00:60Z", "0000-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseUTC(s)
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("%q: fast path read %v, time.Parse refused it: %v", s, got, err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("%q: fast path %v, time.Parse %v", s, got, want)
		}
	})
}

func TestDecodeNDJSONLines(t *testing.T) {
	in := "{\"time\":\"2026-11-30T10:00:00.5Z\",\"msg\":\"a\"}\r\n\n  plain text  \n{\"msg\":\"b\",\"n\":1}"
	recs, err := DecodeNDJSON(strings.NewReader(in), now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].Get("_msg") != "a" || recs[1].Get("_msg") != "plain text" || recs[2].Get("n") != "1" {
		t.Fatalf("got %v", recs)
	}
	if want := time.Date(2026, 11, 30, 10, 0, 0, 5e8, time.UTC); !recs[0].Time.Equal(want) {
		t.Errorf("time %v, want %v", recs[0].Time, want)
	}
	_, err = DecodeNDJSON(strings.NewReader("{}\n\n"+strings.Repeat("x", MaxLine+1)), now, 0)
	if le, ok := err.(*LineError); !ok || le.Line != 3 {
		t.Errorf("long line: %v, want an error on line 3", err)
	}
	_, err = DecodeNDJSON(strings.NewReader("{}\n{}\n{}"), now, 2)
	if le, ok := err.(*LineError); !ok || le.Line != 3 {
		t.Errorf("too many lines: %v, want an error on line 3", err)
	}
}
