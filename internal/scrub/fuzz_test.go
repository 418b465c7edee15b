package scrub

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzTriggers are the substrings without which String must change
// nothing: the sensitive key components, the auth schemes and "://" for
// URL passwords. Digits are checked separately.
var fuzzTriggers = []string{
	"passw", "secret", "token", "authorization", "cookie", "api", "key",
	"card", "cvv", "cvc", "pin", "ssn", "bearer", "basic", "://",
}

func FuzzString(f *testing.F) {
	for _, s := range []string{
		"", "plain text without anything",
		"card 4111 1111 1111 1111 exp 12/28",
		"4111-1111-1111-1111 and 378282246310005",
		"fnr 01019012345 or 010190 12345",
		"IBAN NO93 8601 1117 947, de89370400440532013000",
		"password=hunter2 token: abc user=bob",
		`{"password":"x","pin":1234,"token_count":42,"a":[1,2]}`,
		`msg="{\"secret\":\"s\"}"`,
		"Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig",
		"Basic dXNlcjpwYXNz basic authentication",
		"postgres://u:p@ss@db:5432/x?sslmode=disable",
		"Set-Cookie: sid=1; Path=/\nnext",
		"map[Authorization:[Bearer x] Cookie:[a=b]]",
		"ts=2026-11-23T01:02:03.123456789Z ms=1795000000000",
		"[REDACTED:card] password=[REDACTED]x",
		"apiKey = 'k' X-API-KEY:k ApiKey=\"k\"",
	} {
		f.Add(s)
	}
	extra := New(Options{ExtraKeys: []string{"bankid_pnr", "redacted"}})
	f.Fuzz(func(t *testing.T, in string) {
		for _, sc := range []*Scrubber{std, extra} {
			out, _ := sc.StringCount(in)
			again, n := sc.StringCount(out)
			if again != out || n != 0 {
				t.Fatalf("not a fixed point (%d more):\nin:    %q\nonce:  %q\ntwice: %q", n, in, out, again)
			}
			if utf8.ValidString(in) && !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
			}
		}
		if !strings.ContainsAny(in, "0123456789") && !containsAnyFold(in, fuzzTriggers) {
			if out := String(in); out != in {
				t.Fatalf("changed text without digits or keywords:\nin:  %q\nout: %q", in, out)
			}
		}
	})
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`null`, `"4111111111111111"`, `4111111111111111`, `1.5e300`, `[]`,
		`{"user":{"password":"x","token_count":3,"tokens":["a",1]},"n":4111111111111111}`,
		`{"4111111111111111":1,"[REDACTED:card]":2,"4012888888881881":3}`,
		`{"authorization":{"user":"u","pass":"p"},"msg":"login password=hunter2"}`,
		`{"iban":"NO93 8601 1117 947","fnr":"01019012345","id":12345678901}`,
		`{"a":"<b>&amp;</b>","cvv":123,"pin":null,"secret":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := JSON(in)
		if err != nil {
			if json.Valid(in) {
				t.Fatalf("valid JSON rejected: %v\n%q", err, in)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON out:\nin:  %q\nout: %q", in, out)
		}
		again, n, err := std.JSONCount(out)
		if err != nil || n != 0 || !bytes.Equal(again, out) {
			t.Fatalf("not a fixed point (%d more, %v):\nonce:  %q\ntwice: %q", n, err, out, again)
		}
	})
}

func containsAnyFold(s string, words []string) bool {
	low := strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}
