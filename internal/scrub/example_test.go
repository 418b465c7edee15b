package scrub_test

import (
	"fmt"

	"github.com/wardenhq/warden/internal/scrub"
)

func ExampleString() {
	fmt.Println(scrub.String("charge 4111 1111 1111 1111 failed for order ORD-2024-000123"))
	fmt.Println(scrub.String("POST /login?user=bob&password=hunter2 Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln"))
	fmt.Println(scrub.String("refund to NO93 8601 1117 947, fnr 15076500565, at 2026-11-23T01:02:03Z"))
	// Output:
	// charge [REDACTED:card] failed for order ORD-2024-000123
	// POST /login?user=bob&password=[REDACTED] Authorization: Bearer [REDACTED]
	// refund to [REDACTED:iban], fnr [REDACTED:national_id], at 2026-11-23T01:02:03Z
}

func ExampleJSON() {
	out, err := scrub.JSON([]byte(`{"user":"bob","db_password":"x","card":4111111111111111,"usage":{"prompt_tokens":12}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"card":"[REDACTED:card]","db_password":"[REDACTED]","usage":{"prompt_tokens":12},"user":"bob"}
}

func ExampleNew() {
	s := scrub.New(scrub.Options{ExtraKeys: []string{"bankid_pnr"}})
	out, n := s.StringCount("login bankidPnr=abc user=bob")
	fmt.Println(out, n)
	// Output:
	// login bankidPnr=[REDACTED] user=bob 1
}
