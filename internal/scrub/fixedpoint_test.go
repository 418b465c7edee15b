package scrub

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// fragments are pieces that trigger every rule, glued together at random
// by TestFixedPointMixes to find interactions between rules that plain
// fuzzing reaches only slowly (it rarely invents a valid card).
var fragments = []string{
	"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "378282246310005",
	"15076500565", "150765 00565", "NO9386011117947", "NO93 8601 1117 947", "de89370400440532013000",
	"password", "token_count", "Authorization", "Cookie", "api_key", "pin", "Bearer", "Basic",
	"dXNlcjpwYXNz", "abc.def", "://", "u", "@", "=", ":", " ", "  ", "-", ".", ",", ";", "&", "\"",
	"'", "\\\"", "[", "]", "{", "}", "(", ")", "\n", "x", "42", "1", "0", Redacted, RedactedCard,
	"[REDACTED", "é", "realm=", "+", "/", "AAA", "dXNlcjpwYXNzAAA+", "4222222222222", "-4111 1111",
}

func TestFixedPointMixes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	extra := New(Options{ExtraKeys: []string{"redacted", "card"}})
	for range 300000 {
		var sb strings.Builder
		for range 1 + r.IntN(12) {
			sb.WriteString(fragments[r.IntN(len(fragments))])
		}
		in := sb.String()
		for _, s := range []*Scrubber{std, extra} {
			once, _ := s.StringCount(in)
			twice, n := s.StringCount(once)
			if twice != once || n != 0 {
				t.Fatalf("not a fixed point (%d more):\nin:    %q\nonce:  %q\ntwice: %q", n, in, once, twice)
			}
		}
	}
}

func TestJSONFixedPointMixes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	word := func() string {
		var sb strings.Builder
		for range 1 + r.IntN(4) {
			sb.WriteString(fragments[r.IntN(len(fragments))])
		}
		return sb.String()
	}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch k := r.IntN(8); {
		case depth > 3 || k < 3:
			return word()
		case k == 3:
			return json.Number([]string{"4111111111111111", "15076500565", "42", "-4111111111111111", "1.5"}[r.IntN(5)])
		case k == 4:
			return []any{gen(depth + 1), gen(depth + 1)}
		case k == 5:
			return nil
		default:
			m := map[string]any{}
			for range 1 + r.IntN(4) {
				m[word()] = gen(depth + 1)
			}
			return m
		}
	}
	for range 20000 {
		in, err := json.Marshal(gen(0))
		if err != nil {
			t.Fatal(err)
		}
		once, err := JSON(in)
		if err != nil || !json.Valid(once) {
			t.Fatalf("JSON(%s) = %s, %v", in, once, err)
		}
		twice, n, err := std.JSONCount(once)
		if err != nil || n != 0 || !bytes.Equal(twice, once) {
			t.Fatalf("not a fixed point (%d more):\nin:    %s\nonce:  %s\ntwice: %s", n, in, once, twice)
		}
	}
}
