package scrub

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestJSONInPlace(t *testing.T) {
	tests := []struct{ in, want string }{
		// Key order and spacing are kept; only redacted values change.
		{
			`{"msg":"login ok","user":{"name":"bob","password":"hunter2","X-Auth-Token":"t"},"n":1}`,
			`{"msg":"login ok","user":{"name":"bob","password":"[REDACTED]","X-Auth-Token":"[REDACTED]"},"n":1}`,
		},
		{
			`{"card":4111111111111111, "amount":1234567.89,"big":123456789012345678901234567890,"e":1e400}`,
			`{"card":"[REDACTED:card]", "amount":1234567.89,"big":123456789012345678901234567890,"e":1e400}`,
		},
		{
			`[{"authorization":{"scheme":"Basic","user":"u"}},{"tokens":["t1",3]},{"token_count":42}]`,
			`[{"authorization":"[REDACTED]"},{"tokens":["[REDACTED]",3]},{"token_count":42}]`,
		},
		{
			`{"error":"dial postgres://app:pw@db/x: refused","html":"<b>&</b>"}`,
			`{"error":"dial postgres://app:[REDACTED]@db/x: refused","html":"<b>&</b>"}`,
		},
		{`"NO93 8601 1117 947"`, `"[REDACTED:iban]"`},
		{` 15076500565 `, ` "[REDACTED:national_id]" `},
		{`{"pin":null,"secret":"","token":"[REDACTED]","api_key":true,"cvv":[1,{"a":"}"}]}`,
			`{"pin":null,"secret":"","token":"[REDACTED]","api_key":"[REDACTED]","cvv":"[REDACTED]"}`},
		// Escapes are decoded before scrubbing and written back as JSON.
		{`{"msg":"card\u0020 4111 1111 1111 1111\n\"q\" \u2028","pass\u0077ord":"x"}`,
			`{"msg":"card  [REDACTED:card]\n\"q\" \u2028","pass\u0077ord":"[REDACTED]"}`},
		// A key that must be redacted falls back to JSON (sorted, renamed).
		{`{"z":1,"4111111111111111":1,"[REDACTED:card]":2}`, `{"[REDACTED:card]":2,"[REDACTED:card]#2":1,"z":1}`},
	}
	for _, tt := range tests {
		got, _, err := std.JSONInPlace([]byte(tt.in))
		if err != nil {
			t.Errorf("JSONInPlace(%s): %v", tt.in, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("JSONInPlace(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
		checkSameAsJSON(t, std, []byte(tt.in))
	}
}

func TestJSONInPlaceUnchangedIsInput(t *testing.T) {
	in := []byte(logLine)
	out, n, err := std.JSONInPlace(in)
	if err != nil || n != 0 || &out[0] != &in[0] {
		t.Fatalf("clean document not returned as is: n=%d err=%v", n, err)
	}
}

func TestJSONInPlaceValidOnBadInput(t *testing.T) {
	// The caller promised valid JSON; when it is not, no panic.
	for _, in := range []string{``, `{`, `{"a":`, `["a`, `{"a" 1}`, `[1,`, `"\`, `{"a":"b"`, `{"\u12":1}`} {
		std.JSONInPlaceValid([]byte(in))
	}
}

func TestJSONInPlaceErrors(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":1}x`, `{"a":1} {}`, `[1,]`, `"\x"`, `{"a" 1}`, `nul`} {
		if _, _, err := std.JSONInPlace([]byte(in)); err == nil || !strings.HasPrefix(err.Error(), "scrub: decode JSON") {
			t.Errorf("JSONInPlace(%q): error %v, want a decode error", in, err)
		}
	}
}

// checkSameAsJSON is the differential check: JSONInPlace must accept what
// JSON accepts, redact at least as much, and produce a document that
// decodes to the same value as JSON's output.
func checkSameAsJSON(t *testing.T, sc *Scrubber, in []byte) {
	t.Helper()
	want, wantN, wantErr := sc.JSONCount(in)
	got, gotN, gotErr := sc.JSONInPlace(in)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("errors differ on %q: JSON %v, JSONInPlace %v", in, wantErr, gotErr)
	}
	if wantErr != nil {
		return
	}
	if !json.Valid(got) {
		t.Fatalf("invalid JSON out of %q: %q", in, got)
	}
	// Duplicate keys: JSON sees only the last, JSONInPlace scrubs them all.
	if gotN < wantN || (wantN > 0) != (gotN > 0) && !hasDuplicateKeys(in) {
		t.Fatalf("redactions differ on %q: JSON %d, JSONInPlace %d\nJSON:        %q\nJSONInPlace: %q", in, wantN, gotN, want, got)
	}
	if gotN == 0 && !bytes.Equal(got, in) {
		t.Fatalf("nothing redacted but output differs: %q -> %q", in, got)
	}
	if a, b := decodeNumber(t, want), decodeNumber(t, got); !reflect.DeepEqual(a, b) {
		t.Fatalf("decoded outputs differ on %q:\nJSON:        %q\nJSONInPlace: %q", in, want, got)
	}
	again, n, err := sc.JSONInPlace(got)
	if err != nil || n != 0 || !bytes.Equal(again, got) {
		t.Fatalf("not a fixed point (%d more, %v):\nonce:  %q\ntwice: %q", n, err, got, again)
	}
}

func decodeNumber(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return v
}

// hasDuplicateKeys reports whether some object of the document repeats a
// key, which is where JSON and JSONInPlace may count differently.
func hasDuplicateKeys(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		obj     bool
		keys    map[string]bool
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					return true
				}
				top.keys[k] = true
				top.wantKey = false
				continue
			}
		}
		if top != nil && top.obj {
			top.wantKey = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].obj {
				stack[len(stack)-1].wantKey = true
			}
		}
	}
}

// FuzzJSONInPlace compares JSONInPlace with JSON, the decode-to-maps path
// it replaces on the ingest paths.
func FuzzJSONInPlace(f *testing.F) {
	for _, s := range []string{
		`null`, `"4111111111111111"`, `4111111111111111`, `1.5e300`, `[]`, `{}`, ` [ 1 , "a" ] `,
		`{"user":{"password":"x","token_count":3,"tokens":["a",1]},"n":4111111111111111}`,
		`{"4111111111111111":1,"[REDACTED:card]":2,"4012888888881881":3}`,
		`{"authorization":{"user":"u","pass":"p"},"msg":"login password=hunter2"}`,
		`{"iban":"NO93 8601 1117 947","fnr":"01019012345","id":12345678901}`,
		`{"a":"<b>&amp;</b>","cvv":123,"pin":null,"secret":""}`,
		`{"a":"\u0041\ud800x\"\\","b":"\xff\xfe card 4111111111111111"}`,
		`{"a":1,"a":"4111111111111111"}`,
		`{"headers":[["Authorization","Bearer abc.def"],["Cookie","sid=1"]],"token_count":4111111111111111}`,
	} {
		f.Add([]byte(s))
	}
	extra := New(Options{ExtraKeys: []string{"bankid_pnr", "redacted"}})
	f.Fuzz(func(t *testing.T, in []byte) {
		checkSameAsJSON(t, std, in)
		checkSameAsJSON(t, extra, in)
		// Without the check: the same on valid input, no panic on any.
		got, gotN, gotErr := std.JSONInPlaceValid(in)
		if json.Valid(in) {
			want, wantN, wantErr := std.JSONInPlace(in)
			if !bytes.Equal(got, want) || gotN != wantN || (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("JSONInPlaceValid differs on %q:\n got %q %d %v\nwant %q %d %v", in, got, gotN, gotErr, want, wantN, wantErr)
			}
		}
	})
}

// BenchmarkJSONEvent compares JSON and JSONInPlace on a captured Sentry
// event.
func BenchmarkJSONEvent(b *testing.B) {
	ev := sentryEvent(b)
	for _, bm := range []struct {
		name string
		f    func([]byte) ([]byte, int, error)
	}{{"JSON", std.JSONCount}, {"JSONInPlace", std.JSONInPlace}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(ev)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := bm.f(ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sentryEvent is the event @sentry/node sent in a capture (3.5 KB).
func sentryEvent(b *testing.B) []byte {
	ev, err := os.ReadFile("testdata/sentry-event.json")
	if err != nil {
		b.Fatal(err)
	}
	return ev
}
