package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wardenhq/warden/internal/logs/ingest/lokitest"
)

// lokiSample is a push as Promtail sends it: two streams, escapes in a
// label value, a JSON line, structured metadata.
func lokiSample() []lokitest.Stream {
	t0 := time.Date(2026, 11, 30, 11, 59, 0, 123456789, time.UTC)
	return []lokitest.Stream{
		{Labels: `{app="api", env="prod", path="C:\\logs \"new\"\n"}`, Entries: []lokitest.Entry{
			{Time: t0, Line: "plain line"},
			{Time: t0.Add(time.Second), Line: `{"level":"error","msg":"payment failed","order":{"id":7}}`, Metadata: [][2]string{{"trace_id", "abc123"}, {"pod", "api-7"}}},
		}},
		{Labels: "{job=`varlogs`,host=\"web-1\",}", Entries: []lokitest.Entry{{Time: t0.Add(2 * time.Second), Line: "from varlogs"}}},
	}
}

func TestDecodeLokiProto(t *testing.T) {
	recs, err := DecodeLokiProto(lokitest.Body(lokiSample()), now, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if !r.Time.Equal(time.Date(2026, 11, 30, 11, 59, 0, 123456789, time.UTC)) || r.Get("_msg") != "plain line" ||
		r.Get("app") != "api" || r.Get("env") != "prod" || r.Get("path") != "C:\\logs \"new\"\n" {
		t.Fatalf("record 1: %v %+v", r.Time, r.Fields)
	}
	r = recs[1]
	if r.Get("level") != "error" || r.Get("_msg") != "payment failed" || r.Get("order.id") != "7" ||
		r.Get("trace_id") != "abc123" || r.Get("pod") != "api-7" || r.Time.Sub(recs[0].Time) != time.Second {
		t.Fatalf("record 2: %+v", r.Fields)
	}
	if recs[2].Get("job") != "varlogs" || recs[2].Get("host") != "web-1" || recs[2].Get("_msg") != "from varlogs" {
		t.Fatalf("record 3: %+v", recs[2].Fields)
	}
}

func TestDecodeLokiProtoErrors(t *testing.T) {
	one := func(labels string) []byte {
		return lokitest.Body([]lokitest.Stream{{Labels: labels, Entries: []lokitest.Entry{{Time: now, Line: "x"}}}})
	}
	// An entry whose Timestamp has nanos out of range: built by hand, as
	// the protobuf library would refuse to write it through timestamppb.
	var ts, entry, stream, req []byte
	ts = protowire.AppendTag(ts, 1, protowire.VarintType)
	ts = protowire.AppendVarint(ts, 1764504000)
	ts = protowire.AppendTag(ts, 2, protowire.VarintType)
	ts = protowire.AppendVarint(ts, 2e9)
	entry = protowire.AppendTag(entry, 1, protowire.BytesType)
	entry = protowire.AppendBytes(entry, ts)
	stream = protowire.AppendTag(stream, 1, protowire.BytesType)
	stream = protowire.AppendString(stream, `{a="b"}`)
	stream = protowire.AppendTag(stream, 2, protowire.BytesType)
	stream = protowire.AppendBytes(stream, entry)
	req = protowire.AppendTag(req, 1, protowire.BytesType)
	req = protowire.AppendBytes(req, stream)
	// A stream whose labels field is a varint.
	var badType []byte
	badType = protowire.AppendTag(badType, 1, protowire.BytesType)
	badType = protowire.AppendBytes(badType, protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 5))

	for _, c := range []struct {
		name string
		body []byte
		max  int
		want string
	}{
		{"json body", []byte(`{"streams":[]}`), 0, "not snappy"},
		{"uncompressed protobuf", lokitest.Marshal(lokiSample()), 0, "snappy"},
		{"labels without quotes", one(`{app=api}`), 0, `streams[0].labels: labels "{app=api}": column 6: expected a quoted value`},
		{"labels unclosed", one(`{app="api}`), 0, "column 6: the value is not closed"},
		{"labels bad escape", one(`{app="a\qb"}`), 0, "bad escape"},
		{"labels regexp", one(`{app=~"a.*"}`), 0, "column 6: =~ is a query's matcher"},
		{"labels twice", one(`{a="1", a="2"}`), 0, "label a appears twice"},
		{"labels no brace", one(`app="x"`), 0, "must start with '{'"},
		{"labels trailing", one(`{a="1"} x`), 0, "unexpected text after '}'"},
		{"labels empty", one(``), 0, "must start with '{'"},
		{"too many lines", lokitest.Body(lokiSample()), 2, "more than 2 lines"},
		{"nanos out of range", snappy.Encode(nil, req), 0, "streams[0].entries[0].timestamp: nanos must be in [0, 999999999]"},
		{"wrong wire type", snappy.Encode(nil, badType), 0, "streams[0].labels: wire type 0, want a string"},
		{"truncated", snappy.Encode(nil, lokitest.Marshal(lokiSample())[:40]), 0, "PushRequest: field 1: unexpected EOF"},
	} {
		_, err := DecodeLokiProto(c.body, now, c.max, 1<<20)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
	// A small body that claims to decompress to more than allowed.
	big := snappy.Encode(nil, bytes.Repeat([]byte{0}, 2<<20))
	if _, err := DecodeLokiProto(big, now, 0, 1<<20); err == nil || !strings.Contains(err.Error(), "more than the 1048576 allowed") {
		t.Errorf("bomb: %v", err)
	}
}

func TestParseLokiLabels(t *testing.T) {
	for in, want := range map[string]string{
		`{}`:                                 ``,
		` { a = "1" , b="2" , } `:            `a=1 b=2`,
		`{__name__="x",_b9="y"}`:             `__name__=x _b9=y`,
		`{msg="tab\there \u00e9 \x41 \101"}`: "msg=tab\there é A A",
		"{raw=`a\\b\"c`}":                    `raw=a\b"c`,
		`{e=""}`:                             `e=`,
	} {
		got, err := ParseLokiLabels(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		var parts []string
		for _, f := range got {
			parts = append(parts, f.Name+"="+f.Value)
		}
		if strings.Join(parts, " ") != want {
			t.Errorf("%s: got %q, want %q", in, strings.Join(parts, " "), want)
		}
	}
	for _, bad := range []string{`{`, `{a}`, `{a=}`, `{1a="x"}`, `{a="x" b="y"}`, `{a='x'}`, "{a=\"x\ny\"}", `{a="x"}}`, `{"a"="x"}`} {
		if _, err := ParseLokiLabels(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestWriteLokiSeeds writes the fuzz seed corpus of testdata/loki when
// WARDEN_WRITE_SEEDS=1.
func TestWriteLokiSeeds(t *testing.T) {
	if os.Getenv("WARDEN_WRITE_SEEDS") != "1" {
		t.Skip("set WARDEN_WRITE_SEEDS=1 to rewrite testdata/loki")
	}
	if err := os.MkdirAll("testdata/loki", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/loki/push.pb.snappy", lokitest.Body(lokiSample()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/loki/labels.txt", []byte(lokiSample()[0].Labels), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzLokiProto feeds the protobuf decoder snappy bodies (and the raw
// protobuf inside them, compressed on the way): none may panic, and what
// it accepts is bounded by maxRecords.
func FuzzLokiProto(f *testing.F) {
	files, _ := filepath.Glob("testdata/loki/*.snappy")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		if raw, err := snappy.Decode(nil, b); err == nil {
			f.Add(raw, true)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, compress bool) {
		if compress {
			b = snappy.Encode(nil, b)
		}
		const max = 50
		recs, err := DecodeLokiProto(b, now, max, 1<<20)
		if err == nil && len(recs) > max {
			t.Fatalf("%d records, more than the %d allowed", len(recs), max)
		}
	})
}

// FuzzLokiLabels: the label parser never panics, and what it accepts it
// reads back the same when written out again with Go quoting.
func FuzzLokiLabels(f *testing.F) {
	if b, err := os.ReadFile("testdata/loki/labels.txt"); err == nil {
		f.Add(string(b))
	}
	for _, s := range []string{`{}`, `{a="b",}`, "{a=`b`}", `{a="\u00e9\x41"}`, `{a="1", a="2"}`, `{a=~"x"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseLokiLabels(s)
		if err != nil {
			return
		}
		var b strings.Builder
		b.WriteByte('{')
		for i, l := range got {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(l.Name + "=" + strconvQuote(l.Value))
		}
		b.WriteByte('}')
		again, err := ParseLokiLabels(b.String())
		if err != nil || len(again) != len(got) {
			t.Fatalf("%q parsed to %v, written as %q: %v %v", s, got, b.String(), again, err)
		}
		for i := range got {
			if again[i] != got[i] {
				t.Fatalf("%q: %v then %v", s, got, again)
			}
		}
	})
}

func strconvQuote(s string) string { return strconv.Quote(s) }
