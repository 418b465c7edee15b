package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func addFixtureSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.envelope")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParse checks that no envelope panics the parser and that items it
// returns lie inside the input.
func FuzzParse(f *testing.F) {
	addFixtureSeeds(f)
	f.Add([]byte("{}\n{\"type\":\"event\",\"length\":2}\n{}"))
	f.Add([]byte("{}\n{\"type\":\"event\"}\n{}\n\n{\"type\":\"x\",\"length\":0}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := Parse(b)
		if err != nil {
			return
		}
		total := 0
		for _, it := range env.Items {
			if it.Type == "" {
				t.Fatal("item without type")
			}
			total += len(it.Payload)
		}
		if total > len(b) {
			t.Fatalf("payloads (%d bytes) longer than the envelope (%d)", total, len(b))
		}
		for _, it := range env.Items {
			ParseEvent(it.Payload, time.Unix(0, 0))
		}
	})
}

// FuzzParseEvent checks that no payload panics the event reader.
func FuzzParseEvent(f *testing.F) {
	addFixtureSeeds(f)
	f.Add([]byte(`{"exception":{"values":[{"type":"E","stacktrace":{"frames":[{"in_app":true}]}}]},"timestamp":1.5}`))
	f.Add([]byte(`{"message":{"formatted":"x"},"tags":[["a","b"]],"threads":{"values":[{"crashed":true,"stacktrace":{"frames":[]}}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseEvent(b, time.Unix(0, 0))
		if err == nil && len(ev.ID) != 32 {
			t.Fatalf("event id %q", ev.ID)
		}
	})
}

// FuzzDecode checks that no body panics a decoder or yields more than the cap.
func FuzzDecode(f *testing.F) {
	data := []byte(`{"message":"hello hello hello"}`)
	for _, c := range []struct{ header, enc string }{{"gzip", "gzip"}, {"deflate", "zlib"}, {"deflate", "raw"}, {"br", "br"}, {"zstd", "zstd"}, {"", ""}} {
		f.Add(c.header, encode(f, c.enc, data))
	}
	f.Fuzz(func(t *testing.T, coding string, body []byte) {
		const max = 64 << 10
		out, err := Decode(bytes.NewReader(body), coding, max)
		var tooBig *TooLargeError
		if err != nil && errors.As(err, &tooBig) && tooBig.Limit != max {
			t.Fatalf("limit %d", tooBig.Limit)
		}
		if len(out) > max {
			t.Fatalf("decoded %d bytes past the cap", len(out))
		}
	})
}

// FuzzValidJSON checks that ValidJSON accepts exactly what encoding/json
// accepts.
func FuzzValidJSON(f *testing.F) {
	addFixtureSeeds(f)
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{"a":1,"a":2}`, "\"\xff\"", `"\ud800"`, `"\udc00\ud800x"`, ` {} `, `{}{}`, `[1,]`, `1e400`, `-0`, `01`, "\"\x00\"", `"\u0000"`, "{\"a\":\"\xed\xa0\x80\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := ValidJSON(b), json.Valid(b); got != want {
			t.Fatalf("ValidJSON(%q) = %v, encoding/json.Valid = %v", b, got, want)
		}
	})
}
