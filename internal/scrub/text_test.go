package scrub

import (
	"strings"
	"testing"
)

func TestKeyValuesInText(t *testing.T) {
	const R = Redacted
	tests := []struct{ in, want string }{
		{"login password=hunter2 user=bob", "login password=" + R + " user=bob"},
		{"password = hunter2", "password = " + R},
		{"Password: hunter2", "Password: " + R},
		{"password=", "password="},
		{"password= user=bob", "password= user=bob"},
		{`password="correct horse"`, `password="` + R + `"`},
		{`password='x y' next`, `password='` + R + `' next`},
		{"GET /reset?token=abc123&x=1", "GET /reset?token=" + R + "&x=1"},
		{"GET /cb?code=1&access_token=ya29.a0&state=2", "GET /cb?code=1&access_token=" + R + "&state=2"},
		{"db_password=s3cr3t;host=db", "db_password=" + R + ";host=db"},
		{"stripeSecret=sk_live_123", "stripeSecret=" + R},
		{"X-Api-Key: k-123", "X-Api-Key: " + R},
		{"--password=x --user=y", "--password=" + R + " --user=y"},
		{"cvv=123 pin: 1234", "cvv=" + R + " pin: " + R},
		{"token_count=42 prompt_tokens=7", "token_count=42 prompt_tokens=7"},
		{"token_count=many", "token_count=" + R},
		{"token_type: bearer", "token_type: " + R},
		{"token_count=4111 1111 1111 1111 n=1", "token_count=" + R + " n=1"},
		{"token_count=-4111111111111111", "token_count=" + R},

		// JSON and escaped JSON inside text stay valid.
		{`{"password":"x","pin":1234,"token_count":42}`, `{"password":"` + R + `","pin":"` + R + `","token_count":42}`},
		{`{"secret": true, "user": "bob"}`, `{"secret": "` + R + `", "user": "bob"}`},
		{`{"token_count":"42"}`, `{"token_count":"` + R + `"}`},
		{`msg="{\"token\":\"abc\",\"n\":1}"`, `msg="{\"token\":\"` + R + `\",\"n\":1}"`},
		{`{"password":["a","b"],"x":1}`, `{"password":"` + R + `","x":1}`},
		{`{"authorization":{"user":"u"}}`, `{"authorization":{"user":"u"}}`},
		{`{'password': 'x'}`, `{'password': '` + R + `'}`},

		// Headers.
		{"Authorization: Bearer abc.def.ghi", "Authorization: Bearer " + R},
		{"authorization: token ghp_16C7e42F292c6912E7710c838347Ae178B4a", "authorization: token " + R},
		{"Authorization: Digest username=\"u\", response=\"6629fae\"\nHost: x", "Authorization: Digest " + R + "\nHost: x"},
		{"Authorization: xyz", "Authorization: " + R},
		{`"Authorization":"Bearer abc"`, `"Authorization":"Bearer ` + R + `"`},
		{"Cookie: sid=abc; theme=dark\nAccept: */*", "Cookie: " + R + "\nAccept: */*"},
		{"Set-Cookie: sid=abc; Path=/; HttpOnly", "Set-Cookie: " + R},
		{"cookie=abc; theme=dark", "cookie=" + R + "; theme=dark"},
		{"headers=map[Authorization:[Bearer x] Accept:[*/*]]", "headers=map[Authorization:" + R + " Accept:[*/*]]"},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestAuthInText(t *testing.T) {
	const R = Redacted
	tests := []struct{ in, want string }{
		{"curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'", "curl -H 'Authorization: Bearer " + R + "'"},
		{"using Bearer abc.def.ghi now", "using Bearer " + R + " now"},
		{"BEARER   0123456789abcdef", "BEARER   " + R},
		{"Basic dXNlcjpwYXNzd29yZA==", "Basic " + R},
		{"Basic dXNlcjpwYXNz", "Basic " + R},
		{"postgres://warden:s3cret@db:5432/warden?sslmode=disable", "postgres://warden:" + R + "@db:5432/warden?sslmode=disable"},
		{"redis://:p4ss@cache:6379/0", "redis://:" + R + "@cache:6379/0"},
		{"amqp://u:p@ss@mq/vhost", "amqp://u:" + R + "@mq/vhost"},
		{"https://user:pw@example.com", "https://user:" + R + "@example.com"},
		{"https://u:4111 1111 1111 1111@example.com", "https://u:" + RedactedCard + "@example.com"},
		{"Basic dXNlcjpwYXNzAAA+4222222222222", "Basic " + R},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// TestNearMisses lists what looks a little like a secret and must survive.
func TestNearMisses(t *testing.T) {
	for _, in := range []string{
		"ORD-2024-000123",
		"order 4111111111111112 shipped", // 16 digits, fails Luhn
		"order 1234567812345670",         // passes Luhn, no issuer starts with 1
		"2026-11-23T01:02:03.123456789Z",
		"2026-11-23 01:02:03,123",
		"ts=1795000000000", // Unix ms
		"ts_us=1795000000000000",
		"ts_ns=1795000000000000000",
		"1763859723",
		"+47 912 34 567",
		"004791234567",
		"(+1) 415-555-2671",
		"1234567.89",
		"1 234 567,89 kr",
		"NOK 12 345 678,00",
		"123e4567-e89b-12d3-a456-426614174000",
		"00000000-0000-0000-0000-000000000000",
		"10.0.0.1:8080",
		"2001:db8::ff00:42:8329",
		"fe80::1ff:fe23:4567:890a%eth0",
		"v1.26.8",
		"1.2.3-rc.1+build.20261123",
		"commit 3f786850e387550fdab836ed7e6dc881de23001b",
		"a94a8fe5cc",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"missing bearer token",
		"Bearer token expired",
		"basic authentication failed",
		"Basic realm=\"warden\"",
		`WWW-Authenticate: Bearer error="invalid_token"`,
		"the tokenizer split 12 tokens",
		"https://example.com/path?page=2&sort=desc",
		"user=bob id=42 status=200 duration=13ms",
		"key=value api=v2 card=visa",
		"http://localhost:8080/",
		"[REDACTED] [REDACTED:card] [REDACTED:iban]",
		"æøå ÆØÅ 日本語",
	} {
		unchanged(t, in)
	}
}

func TestCounts(t *testing.T) {
	in := "card 4111111111111111 iban NO9386011117947 fnr 15076500565 password=x Bearer abc.def"
	got, n := std.StringCount(in)
	want := "card " + RedactedCard + " iban " + RedactedIBAN + " fnr " + RedactedNationalID + " password=" + Redacted + " Bearer " + Redacted
	if got != want || n != 5 {
		t.Errorf("got %q (%d), want %q (5)", got, n, want)
	}
	if _, n := std.StringCount(got); n != 0 {
		t.Errorf("second pass counted %d", n)
	}
}

func TestStringReturnsInputWithoutAllocating(t *testing.T) {
	in := strings.Repeat(`{"level":"info","ts":"2026-11-23T01:02:03Z","msg":"GET /api/v1/items 200","user":"bob","n":12} `, 10)
	allocs := testing.AllocsPerRun(100, func() {
		if String(in) != in {
			t.Fatal("changed")
		}
	})
	if allocs != 0 {
		t.Errorf("String allocates %v times on clean input", allocs)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := New(Options{ExtraKeys: []string{"bankid_pnr"}})
	done := make(chan bool)
	for range 8 {
		go func() {
			for range 200 {
				if got := s.String("bankid_pnr=1 4111111111111111"); got != "bankid_pnr="+Redacted+" "+RedactedCard {
					t.Errorf("got %q", got)
				}
			}
			done <- true
		}()
	}
	for range 8 {
		<-done
	}
}
