package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCanonicalIsDeterministic(t *testing.T) {
	e := Event{
		ID: "e1", Time: time.Date(2026, 11, 23, 12, 0, 0, 5, time.FixedZone("CET", 3600)),
		Actor: Actor{Type: ActorService, ID: "api"}, Action: "payment.initiated",
		Target: Target{Type: "payment", ID: "p<1>"}, Outcome: Success,
		Details: map[string]any{"z": 1, "a": map[string]any{"y": true, "b": json.Number("1.50")}, "m": "x & y"},
	}
	rec := time.Date(2026, 11, 23, 11, 0, 1, 0, time.UTC)
	got, err := Canonical(e, 3, bytes.Repeat([]byte{0xab}, 32), rec)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"action":"payment.initiated","actor":{"id":"api","type":"service"},"client_ip":"",` +
		`"details":{"a":{"b":1.50,"y":true},"m":"x & y","z":1},"id":"e1","outcome":"success",` +
		`"prev":"` + strings.Repeat("ab", 32) + `","recorded_at":"2026-11-23T11:00:01.000000000Z","request_id":"",` +
		`"seq":3,"target":{"id":"p<1>","type":"payment"},"time":"2026-11-23T11:00:00.000000005Z","user_agent":"","v":1}`
	if string(got) != want {
		t.Fatalf("canonical bytes changed; stored trails would no longer verify\ngot  %s\nwant %s", got, want)
	}
	for range 20 { // map iteration order must not leak into the bytes
		again, _ := Canonical(e, 3, bytes.Repeat([]byte{0xab}, 32), rec)
		if !bytes.Equal(again, got) {
			t.Fatal("canonical encoding is not deterministic")
		}
	}
}

// The struct encoder must write exactly what a map with sorted keys would,
// which is what the format promises outside tools.
func TestCanonicalMatchesSortedMap(t *testing.T) {
	e := Event{ID: "x", Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Actor: Actor{Type: ActorUser, ID: "psn_1"}, Action: "a.b",
		Target: Target{Type: "t", ID: "é\u2028<"}, Outcome: Denied, ClientIP: "::1", UserAgent: "ua", RequestID: "r",
		Details: map[string]any{"k": []any{json.Number("1e3"), nil, "s"}}}
	b, err := Canonical(e, 9, make([]byte, 32), e.Time)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(m)
	if want := bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}); !bytes.Equal(b, want) {
		t.Fatalf("struct encoding differs from sorted map encoding:\n%s\n%s", b, want)
	}
}

// The writer builds canonical bytes from parts the request goroutines
// encoded; they must equal canonical's for any ids the writer fills in.
func TestCanonicalPartsMatch(t *testing.T) {
	base := Event{
		ID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Time: time.Date(2026, 11, 23, 12, 0, 0, 5, time.FixedZone("CET", 3600)),
		Actor: Actor{Type: ActorUser, ID: "u-1"}, Action: "payment.initiated", Target: Target{Type: "user", ID: "u-2"}, Outcome: Failure,
		ClientIP: "203.0.113.7", UserAgent: "Mozilla/5.0 (x) <b>", RequestID: "req\t1",
		Details: map[string]any{"z": 1, "a": map[string]any{"y": true, "b": json.Number("1.50")}, "m": "x & y", "list": []any{nil, "\u2028"}},
	}
	ids := []string{"", "psn_Zm9vYmFy", "api", `q"uote`, `back\slash`, "tab\there", "\x00\x1f", "é", "\u2028\u2029", "<&>", "\xff"}
	prevs := [][]byte{make([]byte, 32), bytes.Repeat([]byte{0xab}, 32)}
	for _, actor := range ids {
		for _, target := range ids {
			for i, prev := range prevs {
				e := base
				e.Actor.ID, e.Target.ID = actor, target
				if i == 1 {
					e.Details = nil // encoded as {}
				}
				seq := int64(i * 1234567)
				rec := time.Date(2026, 11, 23, 11, 0, 1, i, time.UTC)
				want, err := Canonical(e, seq, prev, rec)
				if err != nil {
					t.Fatal(err)
				}
				p, err := newCanonicalParts(&e)
				if err != nil {
					t.Fatal(err)
				}
				if got := p.build(actor, target, seq, prev, rec); !bytes.Equal(got, want) {
					t.Fatalf("actor %q target %q:\ngot  %s\nwant %s", actor, target, got, want)
				}
			}
		}
	}
}
