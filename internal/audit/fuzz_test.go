package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDecodeEvents feeds outside input to the decoder and validator: they
// must never panic, must fail with a *FieldError or succeed, and whatever
// they accept must encode canonically in a way that reads back to the same
// bytes.
func FuzzDecodeEvents(f *testing.F) {
	f.Add([]byte(`{"actor":{"type":"user","id":"u1"},"action":"auth.login.success","outcome":"success"}`))
	f.Add([]byte(`[{"id":"a","actor":{"type":"service","id":"s"},"action":"payment.initiated","outcome":"failure","details":{"n":1e3,"s":"<x>"}}]`))
	f.Add([]byte(`{"actor":{"type":"user","id":"u1"},"action":"x","outcome":"ok","time":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"nope":1}`))
	tax, _ := NewTaxonomy(nil, true)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := DecodeEvents(bytes.NewReader(body))
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("decode error is not a FieldError: %T %v", err, err)
			}
			return
		}
		for _, e := range events {
			if err := Validate(&e, tax, now); err != nil {
				continue
			}
			if e.Time.IsZero() {
				e.Time = now
			}
			checkCanonicalRoundTrip(t, e)
		}
	})
}

// FuzzCanonical builds events from arbitrary strings: canonical bytes must
// always parse back into the same event and re-encode identically.
func FuzzCanonical(f *testing.F) {
	f.Add("u1", "payment.initiated", "pay-1", "note", "1.5", int64(0))
	f.Add("\xff\xfe", "a.b", "<>&", "\u2028", "-0", int64(1e18))
	f.Fuzz(func(t *testing.T, actor, action, target, detail, num string, nanos int64) {
		e := Event{
			ID: "id", Time: time.Unix(0, nanos).UTC(), Actor: Actor{Type: ActorUser, ID: actor}, Action: action,
			Target: Target{Type: "t", ID: target}, Outcome: Denied, Details: map[string]any{"d": detail, detail: []any{num}},
		}
		if !utf8.ValidString(actor) || !utf8.ValidString(action) || !utf8.ValidString(target) || !validUTF8Deep(e.Details) {
			return // Validate refuses these before anything is encoded
		}
		checkCanonicalRoundTrip(t, e)
	})
}

func checkCanonicalRoundTrip(t *testing.T, e Event) {
	t.Helper()
	rec := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	b, err := Canonical(e, 1, make([]byte, 32), rec)
	parts, perr := newCanonicalParts(&e)
	if (err == nil) != (perr == nil) {
		t.Fatalf("canonical and its parts disagree on encodability: %v, %v", err, perr)
	}
	if err != nil {
		return // unencodable details are refused by Validate
	}
	// The writer joins parts made by the request goroutine: the bytes must
	// be canonical's, byte for byte.
	if got := parts.build(e.Actor.ID, e.Target.ID, 1, make([]byte, 32), rec); !bytes.Equal(got, b) {
		t.Fatalf("canonical parts differ from canonical:\n%s\n%s", got, b)
	}
	doc, err := parseCanonical(b)
	if err != nil {
		t.Fatalf("canonical bytes do not parse: %v\n%s", err, b)
	}
	back, err := doc.event()
	if err != nil {
		t.Fatalf("canonical time does not parse: %v\n%s", err, b)
	}
	again, err := Canonical(back, 1, make([]byte, 32), rec)
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("canonical bytes do not round-trip:\n%s\n%s", b, again)
	}
}

// FuzzParseVerifyDoc checks the fast verify parser against encoding/json:
// on input both accept they must agree. (The fast one may accept malformed
// JSON: verify trusts no parse alone, the hash chain catches forged bytes.)
func FuzzParseVerifyDoc(f *testing.F) {
	rec := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	b, _ := Canonical(Event{ID: "x", Time: rec, Actor: Actor{Type: ActorUser, ID: "u\"1"}, Action: "a.b", Outcome: Success,
		Details: map[string]any{"k": []any{"}", map[string]any{"q": "\\"}}}}, 4, make([]byte, 32), rec)
	f.Add(b)
	f.Add([]byte(`{"seq":1,"seq":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if bytes.IndexFunc(b, func(r rune) bool { return r >= 'A' && r <= 'Z' || r > 0x7f }) >= 0 || bytes.Contains(b, []byte(`\u`)) {
			return // encoding/json matches keys case-insensitively; canonical keys are lower-case ASCII
		}
		fast, err := parseVerifyDoc(b)
		if err != nil {
			return
		}
		var slow verifyDoc
		if json.Unmarshal(b, &slow) != nil {
			return
		}
		if fast != slow {
			t.Fatalf("parsers disagree on %q:\nfast %+v\nslow %+v", b, fast, slow)
		}
	})
}

// FuzzReadCheckpointFile feeds the published file, which lives outside the
// database and so may be damaged or forged: it must give checkpoints or an
// error naming the line, never a panic.
func FuzzReadCheckpointFile(f *testing.F) {
	f.Add([]byte(`{"origin":"warden-audit","size":3,"root":"00","time":"2026-11-23T12:00:00.000000000Z","kind":"manual","key_id":"k","signature":"00"}` + "\n\n"))
	f.Add([]byte("{\n"))
	f.Add([]byte(`{"removed":{"range":["zz"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "cp.jsonl")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cps, err := ReadCheckpointFile(path)
		if err != nil && !strings.Contains(err.Error(), path) {
			t.Fatalf("error does not name the file: %v", err)
		}
		for _, cp := range cps {
			_ = cp.VerifySignature(make([]byte, 32)) // must not panic
			if cp.Removed != nil {
				_, _ = baseFrom(cp)
			}
		}
	})
}
